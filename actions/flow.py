"""What every task flow shares: one Rasa form per flow, validated step by step here.

A flow's validation action subclasses ``FlowForm`` and defines one ``step_<slot>`` method
per slot of its form. A step reads the user's own words, calls the backend and returns the
slots to set; a ``BackendError`` (or ``Invalid``) carries the Italian reason. The base class
gives every flow the same manners:

- a wrong answer is re-asked with its reason, and the third wrong answer in a row ends
  the flow with the Help OnLine offer instead of looping;
- a message that is plainly something else (an FAQ, "annulla", a request for a person) is
  left to the rules: the form is rejected, the rules answer, and the form asks again;
- a step ends the flow with ``Reply(done=True)``, which empties the form's slots so the
  next run starts afresh.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import (
    ATTEMPTS_SLOT,
    CANCEL_ACTION,
    GIVE_UP_RESPONSE,
    HANDOFF_INTENT,
    REQUESTED_SLOT,
    is_secret_slot,
)
from backend import metrics
from backend.errors import BackendError

MAX_ATTEMPTS = 3

# Intents that interrupt a flow rather than answer its question, and how sure NLU must be.
INTERRUPTING_PREFIXES = ("faq_", "info_")
ALWAYS_INTERRUPTING = {"annulla", "esci"}
INTERRUPTING_INTENTS = {HANDOFF_INTENT, "bot_challenge", "out_of_scope"}
INTERRUPT_CONFIDENCE = 0.6
SENTENCE_WORDS = 3


class Invalid(BackendError):
    """An answer the flow cannot use; the message says why, in Italian."""


def is_interruption(message: dict[str, Any], slot: str, answer_failed: bool = True) -> bool:
    """True when NLU is confident the message is another request, not an answer.

    Before an answer is read (``answer_failed`` False) only a question or "annulla" counts:
    a name such as "Anna De Santis" may well look out of scope. A password can look like
    anything ("password1" reads as the forgotten-password FAQ), so at a secret step only a
    sentence, or "annulla"/"esci", counts as another request.
    """
    intent = message.get("intent") or {}
    name = intent.get("name") or ""
    if (intent.get("confidence") or 0.0) < INTERRUPT_CONFIDENCE:
        return False
    if name in ALWAYS_INTERRUPTING:
        return True
    if is_secret_slot(slot) and len((message.get("text") or "").split()) < SENTENCE_WORDS:
        return False
    return name.startswith(INTERRUPTING_PREFIXES) or (
        answer_failed and name in INTERRUPTING_INTENTS
    )


def form_slots(domain: dict[str, Any], form: str) -> list[str]:
    return list(domain.get("forms", {}).get(form, {}).get("required_slots", []))


@dataclass
class Reply:
    """What a step decided: the slots to set, what to tell the user, whether the flow ends."""

    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False


def say(response: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """One message of a ``Reply``: a domain response, or ``text=``, with its variables."""
    return {"response": response, **kwargs} if response else kwargs


class FlowForm(Action, ABC):
    """The validation action of one flow's form (``validate_<form>``)."""

    @property
    @abstractmethod
    def form(self) -> str:
        """The form's name in the domain; subclasses set it as a class attribute."""

    # Slots whose answer is free text (a name): a confident other request wins over them.
    free_text: frozenset[str] = frozenset()
    # Slots the flow also uses and empties when it ends, besides the form's own.
    private_slots: tuple[str, ...] = ()

    def name(self) -> str:
        return f"validate_{self.form}"

    def activate(self, tracker: Tracker) -> Reply:
        """What to do before the first question (e.g. skip the login when logged in)."""
        return Reply()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slot = tracker.get_slot(REQUESTED_SLOT)
        if slot is None:  # activation: nothing answered yet
            return self._apply(self.activate(tracker), dispatcher, domain)
        message = tracker.latest_message
        if slot in self.free_text and is_interruption(message, slot, answer_failed=False):
            return []
        step = getattr(self, f"step_{slot}")
        try:
            reply = step((message.get("text") or "").strip(), tracker)
        except BackendError as error:
            if is_interruption(message, slot):
                return []
            return self._retry(dispatcher, tracker, domain, error.message_it)
        reply.slots = {ATTEMPTS_SLOT: 0, **reply.slots}
        if reply.done:
            metrics.FLOW_OUTCOMES.labels(self.form, "completed").inc()
        return self._apply(reply, dispatcher, domain)

    def _retry(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, reason: str
    ) -> list[dict[str, Any]]:
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts < MAX_ATTEMPTS:
            reply = Reply({ATTEMPTS_SLOT: attempts}, [say(text=reason)])
        else:
            reply = Reply(messages=[say(text=reason), say(GIVE_UP_RESPONSE)], done=True)
            metrics.FLOW_OUTCOMES.labels(self.form, "gave_up").inc()
        return self._apply(reply, dispatcher, domain)

    def _apply(
        self, reply: Reply, dispatcher: CollectingDispatcher, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for message in reply.messages:
            dispatcher.utter_message(**message)
        slots = dict(reply.slots)
        if reply.done:  # empty the flow's slots so the next run starts afresh
            emptied = form_slots(domain, self.form) + [*self.private_slots, ATTEMPTS_SLOT]
            slots = {**dict.fromkeys(emptied), **slots, ATTEMPTS_SLOT: 0}
        events = [SlotSet(name, value) for name, value in slots.items()]
        # Rasa ends the form when the last requested_slot it sees is None.
        return events + [SlotSet(REQUESTED_SLOT, None)] if reply.done else events


class ActionCancel(Action):
    """ "annulla" at any step: the flow stops and forgets what it collected."""

    def name(self) -> str:
        return CANCEL_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = tracker.active_loop.get("name")
        if not form:
            dispatcher.utter_message(response="utter_niente_da_annullare")
            return []
        dispatcher.utter_message(response="utter_annullato")
        metrics.FLOW_OUTCOMES.labels(form, "cancelled").inc()
        emptied = [*form_slots(domain, form), ATTEMPTS_SLOT, REQUESTED_SLOT]
        return [SlotSet(slot, None) for slot in emptied] + [ActiveLoop(None)]
