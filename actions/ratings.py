"""Satisfaction in the chat: 👍 / 👎 on what was just done, then an optional comment.

A completed flow (actions/flow.py) or the end of a hand-over (the console, through Rasa's
HTTP API) invites a rating and sets ``valutazione_offerta``. The vote is an ordinary message
of the conversation (the buttons' ``/valuta{"voto": …}``), so it carries the channel's own
identity and limits; without an offer nothing is recorded. A vote starts a one-question
form: the comment. A question asked there instead is a digression the rules answer, never a
comment; «no» / «No, grazie» ends it; a second vote changes the first. When the form ends the
offer is closed: the old buttons, pressed later, rate nothing.
"""

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import (
    RATE_INTENT,
    RATING_ENTITY,
    RATING_ID_SLOT,
    RATING_NEGATIVE,
    RATING_OFFER_SLOT,
    RATING_POSITIVE,
    is_readable,
)
from actions.flow import QUESTION, FlowForm, Invalid, Reply, guarded, is_interruption, say
from backend import bootstrap, ratings
from backend.errors import BackendError

RATING_FORM = "valutazione_form"
# How a typed vote (no button) says it was bad; anything else rated is good.
NEGATIVE_WORDS = re.compile(
    r"👎|negativ|pessim|scars|male\b|giù|giu\b|verso|inutile|delus|non (mi )?(è|e'|sei|ha)", re.I
)
# How people decline the comment (the button says «No, grazie»).
NO_COMMENT = re.compile(
    r"^\W*(no|nessuno|niente|nulla|nessun commento|non serve|non ora|va bene cos[iì])"
    r"(\W+grazie)?\W*$",
    re.I,
)


def vote(message: dict[str, Any]) -> bool:
    """True for 👍: the button's ``voto`` entity, else the words of a typed rating."""
    for entity in message.get("entities") or []:
        if entity.get("entity") == RATING_ENTITY and entity.get("value") in (
            RATING_POSITIVE,
            RATING_NEGATIVE,
        ):
            return entity["value"] == RATING_POSITIVE
    return not NEGATIVE_WORDS.search(message.get("text") or "")


def record_vote(tracker: Tracker) -> int:
    """The conversation's vote on the current offer; the rating's id."""
    return ratings.record(
        bootstrap.unit_of_work(),
        sender_id=tracker.sender_id,
        channel=tracker.sender_id.partition("-")[0],
        offer=tracker.get_slot(RATING_OFFER_SLOT),
        positive=vote(tracker.latest_message),
        rating_id=tracker.get_slot(RATING_ID_SLOT),
    )


class ActionRate(Action):
    """👍 / 👎: recorded if something was offered for rating, then the comment form starts."""

    def name(self) -> str:
        return "action_valuta"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not tracker.get_slot(RATING_OFFER_SLOT):
            dispatcher.utter_message(response="utter_niente_da_valutare")
            return []
        try:
            rating_id = record_vote(tracker)
        except BackendError:  # an offer that is not, or no longer, this conversation's
            dispatcher.utter_message(response="utter_niente_da_valutare")
            return [SlotSet(RATING_OFFER_SLOT, None)]
        dispatcher.utter_message(response="utter_valutazione_grazie")
        return [SlotSet(RATING_ID_SLOT, rating_id)]


class ValidateRatingForm(FlowForm):
    """The comment after a vote: optional, masked and capped by the backend."""

    form = RATING_FORM
    private_slots = (RATING_ID_SLOT, RATING_OFFER_SLOT)

    def activate(self, tracker: Tracker) -> Reply:
        if tracker.get_slot(RATING_ID_SLOT) is None:  # nothing was recorded: nothing to add
            return Reply(done=True, offers_next=False)
        return Reply()

    def digresses(self, slot: str, message: dict[str, Any]) -> bool:
        """A question, a request for a person, «annulla»: the rules answer, the comment waits.
        A remark the NLU finds out of scope is what a comment often is, unless it asks."""
        intent = (message.get("intent") or {}).get("name")
        if intent == RATE_INTENT:
            return False
        if intent == "out_of_scope" and not QUESTION.search(message.get("text") or ""):
            return False
        return is_interruption(message, slot)

    def step_valutazione_commento(self, text: str, tracker: Tracker) -> Reply:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == RATE_INTENT:  # the other button: the same offer, the vote changed
            return Reply(
                {RATING_ID_SLOT: record_vote(tracker)}, [say("utter_valutazione_aggiornata")]
            )
        if NO_COMMENT.match(text) or (intent == "deny" and len(text.split()) <= 2):
            return Reply(messages=[say("utter_commento_no")], done=True, offers_next=False)
        if not is_readable(text):
            raise Invalid("Scrivi il tuo commento a parole, oppure scegli «No, grazie».")
        ratings.add_comment(
            bootstrap.unit_of_work(),
            rating_id=tracker.get_slot(RATING_ID_SLOT),
            sender_id=tracker.sender_id,
            text=text,
        )
        return Reply(messages=[say("utter_commento_registrato")], done=True, offers_next=False)
