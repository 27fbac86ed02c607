"""The "Intendevi…?" step of the two-stage fallback."""

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import INTENT_LABELS
from actions.fallback import NONE_OF_THESE, ActionAskAffirmation
from tests.support import ROOT


def tracker_after(text: str, ranking: list[tuple[str, float]]) -> Tracker:
    """A tracker whose latest message was classified with the given ranking."""
    latest = {
        "text": text,
        "intent": {"name": "nlu_fallback", "confidence": 1.0},
        "intent_ranking": [{"name": name, "confidence": score} for name, score in ranking],
        "entities": [],
    }
    return Tracker.from_dict(
        {
            "sender_id": "u1",
            "slots": {},
            "latest_message": latest,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(tracker: Tracker) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = ActionAskAffirmation().run(dispatcher, tracker, {})
    return events, dispatcher.messages


def test_offers_the_two_likeliest_questions_and_a_way_out():
    tracker = tracker_after(
        "psw persa??",
        [
            ("nlu_fallback", 0.55),
            ("faq_password_dimenticata", 0.41),
            ("greet", 0.3),
            ("info_cambio_password_24h", 0.12),
            ("faq_browser", 0.05),
        ],
    )
    events, messages = run(tracker)
    assert events == []
    [message] = messages
    assert message["response"] == "utter_ask_affirmation"
    assert message["buttons"] == [
        {
            "title": INTENT_LABELS["faq_password_dimenticata"],
            "payload": "/faq_password_dimenticata",
        },
        {
            "title": INTENT_LABELS["info_cambio_password_24h"],
            "payload": "/info_cambio_password_24h",
        },
        NONE_OF_THESE,
    ]


def test_chit_chat_intents_are_not_offered_as_questions():
    _, [message] = run(
        tracker_after("mah", [("nlu_fallback", 0.6), ("greet", 0.3), ("thank", 0.1)])
    )
    assert message["response"] == "utter_ask_rephrase"
    assert not message["buttons"]


def test_unreadable_message_asks_for_a_written_question():
    _, [message] = run(tracker_after("🙂🙂", [("nlu_fallback", 1.0)]))
    assert message["response"] == "utter_empty_message"


def test_every_label_fits_a_button():
    assert all(0 < len(label) <= 40 for label in INTENT_LABELS.values())


def test_every_faq_and_info_intent_has_a_label_and_every_label_an_intent():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    questions = {name for name in domain["intents"] if name.startswith(("faq_", "info_"))}
    assert questions <= set(INTENT_LABELS) <= set(domain["intents"])
