"""The first stage of the two-stage fallback: "Intendevi…?" with the likely questions."""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import INTENT_LABELS, is_readable
from actions.flow import guarded
from backend import metrics

MAX_SUGGESTIONS = 2
NONE_OF_THESE = {"title": "Nessuna di queste", "payload": "/out_of_scope"}


def likely_questions(parse_data: dict[str, Any]) -> list[str]:
    """The best-ranked intents that have a question label, most likely first."""
    ranking = parse_data.get("intent_ranking") or []
    names = [entry["name"] for entry in ranking if entry.get("name") in INTENT_LABELS]
    return names[:MAX_SUGGESTIONS]


class ActionAskAffirmation(Action):
    """Offers the most likely questions as buttons, or asks to write one."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message
        metrics.FALLBACKS.inc()
        if not is_readable(message.get("text")):
            dispatcher.utter_message(response="utter_empty_message")
            return []
        candidates = likely_questions(message)
        if not candidates:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return []
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in candidates]
        dispatcher.utter_message(
            response="utter_ask_affirmation", buttons=[*buttons, NONE_OF_THESE]
        )
        return []
