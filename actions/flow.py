"""What every task flow shares: one Rasa form per flow, validated step by step here.

A flow's validation action subclasses ``FlowForm`` and defines one ``step_<slot>`` method
per slot of its form. A step reads the user's own words, calls the backend and returns the
slots to set; a ``BackendError`` (or ``Invalid``) carries the Italian reason. The base class
gives every flow the same manners:

- a wrong answer is re-asked with its reason, and the third wrong answer in a row ends
  the flow with the Help OnLine offer instead of looping;
- a message that is plainly something else (an FAQ, "annulla", a request for a person) is
  a digression, left to the rules: the form is rejected, the rules answer, and the form asks
  again. At a step that expects a value (a fiscal code, an e-mail, a code…) a message with
  no digit and no «@» needs only the NLU's own confidence to count as a question, and a
  digression never counts as a wrong answer;
- the second digression in a row is answered, then «Vuoi continuare con …?» (Sì / No)
  instead of the question again: «no» ends the flow saying what was kept;
- «ho sbagliato l'e-mail, è …», «il numero giusto è …», «no aspetta, sono un'azienda» at a
  later step correct an earlier answer (``corrections``): the flow says so and asks again
  only what depended on it (``Correction.redo``, or the flow's own ``correct``);
- a step ends the flow with ``Reply(done=True)``, which empties the form's slots so the
  next run starts afresh, invites the customer to rate the task (👍 / 👎, actions/ratings.py)
  and says «Posso aiutarti in altro?» with the likely next tasks;
- an unexpected exception in any action (``guarded``) ends the flow with an apology and the
  Help OnLine offer, and is logged without what the customer wrote.
"""

import functools
import inspect
import logging
import re
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import (
    ACCOUNT_SLOT,
    ATTEMPTS_SLOT,
    CANCEL_ACTION,
    COMPLETED_RESPONSE,
    CONTINUE_RESPONSE,
    CONTINUE_SLOT,
    DIGRESSIONS_SLOT,
    GIVE_UP_RESPONSE,
    HANDOFF_INTENT,
    INTERNAL_ERROR_RESPONSE,
    LISTEN_ACTION,
    RATED_ASSISTANT,
    RATING_ID_SLOT,
    RATING_OFFER_SLOT,
    RATING_PROMPT,
    REQUESTED_SLOT,
    is_secret_slot,
    rating_buttons,
)
from backend import metrics
from backend.errors import BackendError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Where a flow that cannot go on sends the customer: a callback, or the toll-free number.
HELP_BUTTONS = [
    {"title": "Richiamatemi", "payload": "/richiedi_richiamata"},
    {"title": "Numero verde", "payload": "/info_numero_verde"},
]
MAX_DIGRESSIONS = 2  # the second digression in a row asks whether to go on

# Intents that interrupt a flow rather than answer its question, and how sure NLU must be.
INTERRUPTING_PREFIXES = ("faq_", "info_")
ALWAYS_INTERRUPTING = {"annulla", "esci"}
INTERRUPTING_INTENTS = {HANDOFF_INTENT, "bot_challenge", "out_of_scope"}
CHITCHAT_INTENTS = {"greet", "goodbye", "thank"}
INTERRUPT_CONFIDENCE = 0.6
# config.yml's FallbackClassifier threshold: above it the NLU names the intent itself. A
# logistic regression over 48 intents often tops out near 0.5 on a clear question, so a
# question at a value step (no value in it) needs only this.
NLU_CONFIDENCE = 0.4
SENTENCE_WORDS = 3
# What a question looks like: «non me lo ricordo» is an answer, however the NLU reads it.
QUESTION = re.compile(
    r"\?|^\W*(come|dove|cosa|cos'|che|qual[ei]?|quando|quant[oiae]|perch|posso|si pu[oò]|"
    r"chi|mi sai|sai)\b",
    re.IGNORECASE,
)
# Every value a step expects (fiscal code, P.IVA, phone, POD, code, e-mail) has a digit or
# an «@»; a message with neither holds no candidate value.
CANDIDATE_VALUE = re.compile(r"[\d@]")
# How people announce that an earlier answer was wrong.
CORRECTION_CUE = re.compile(
    r"\b(ho sbagliato|sbagliat[oa]|ho (scritto|messo|dato) male|(giust|corrett|esatt)[oa] (è|e'|e)"
    r"|correggo|correggi|aspetta|anzi|volevo dire|in realt[aà]|errore)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Correction:
    """An earlier answer a later message may correct: ``read(text, tracker)`` finds the new
    value (or raises ``BackendError``), ``label`` names it («l'e-mail»), ``redo`` lists the
    later slots that depended on it, emptied so the form asks them again."""

    label: str
    read: Callable[[str, Any], Any]
    redo: tuple[str, ...] = ()


class Invalid(BackendError):
    """An answer the flow cannot use; the message says why, in Italian."""


def is_interruption(message: dict[str, Any], slot: str, answer_failed: bool = True) -> bool:
    """True when NLU is confident the message is another request, not an answer.

    Before an answer is read (``answer_failed`` False) only a question or "annulla" counts:
    a name such as "Anna De Santis" may well look out of scope. A password can look like
    anything ("password1" reads as the forgotten-password FAQ), so at a secret step only a
    sentence, or "annulla"/"esci", counts as another request. A failed answer without a
    digit or an «@» held no value at all: if it is shaped as a question, the NLU's own
    confidence is enough.
    """
    intent = message.get("intent") or {}
    name = intent.get("name") or ""
    text = message.get("text") or ""
    confidence = intent.get("confidence") or 0.0
    if confidence >= INTERRUPT_CONFIDENCE and name in ALWAYS_INTERRUPTING:
        return True
    if is_secret_slot(slot) and len(text.split()) < SENTENCE_WORDS:
        return False
    no_value = answer_failed and not CANDIDATE_VALUE.search(text)
    question = no_value and QUESTION.search(text)
    if confidence < (NLU_CONFIDENCE if question else INTERRUPT_CONFIDENCE):
        return False
    asked_else = name in INTERRUPTING_INTENTS or (question and name in CHITCHAT_INTENTS)
    return name.startswith(INTERRUPTING_PREFIXES) or (answer_failed and asked_else)


def on_user_message(tracker: Tracker) -> bool:
    """True when the form runs on the customer's message, False when it comes back after
    the rules answered a digression. Rasa appends the form's own ``ActionExecuted`` to the
    tracker it sends its validation action, so the action before that one tells."""
    actions = [
        event.get("name") for event in reversed(tracker.events) if event.get("event") == "action"
    ]
    return len(actions) < 2 or actions[1] == LISTEN_ACTION


def form_slots(domain: dict[str, Any], form: str) -> list[str]:
    return list(domain.get("forms", {}).get(form, {}).get("required_slots", []))


@dataclass(frozen=True)
class Task:
    """A flow as the customer hears of it: its name when it pauses («Vuoi continuare con
    la registrazione?»), what stopping it keeps, and the tasks likely to follow it. A step
    towards another task (logging in) is not offered for rating (``rated``)."""

    name: str
    kept: str
    next_steps: tuple[str, ...]
    rated: bool = True

    def next_buttons(self) -> list[dict[str, str]]:
        return [
            {"title": NEXT_STEP_TITLES[intent], "payload": f"/{intent}"}
            for intent in self.next_steps
        ]


# A finished task offers two or three of these: the start intents of the likely next tasks.
NEXT_STEP_TITLES = {
    "accedi": "Accedi",
    "collega_pod": "Collega una fornitura",
    "mie_forniture": "Le mie forniture",
    "avvia_delega": "Attiva una delega",
    "mie_deleghe": "Le mie deleghe",
    "stato_pratiche": "Le mie richieste",
    "avvia_registrazione": "Registrati",
    "avvia_recupero_password": "Recupera la password",
    "richiedi_richiamata": "Fatti richiamare",
    "faq_consultare_servizi": "I servizi online",
}
NOTHING_CHANGED = "Non ho modificato nulla."
TASKS = {
    "accesso_form": Task(
        "l'accesso",
        "Non hai effettuato l'accesso: quando vuoi, scrivi «accedi».",
        ("mie_forniture", "mie_deleghe", "collega_pod"),
        rated=False,
    ),
    "registrazione_form": Task(
        "la registrazione",
        "La registrazione non è completata: quando vuoi, puoi ricominciarla da capo.",
        ("collega_pod", "avvia_delega", "faq_consultare_servizi"),
    ),
    "recupero_password_form": Task(
        "il recupero della password",
        "La password resta quella di prima.",
        ("accedi", "mie_forniture"),
    ),
    "recupero_username_form": Task(
        "il recupero della username",
        "I dati della tua utenza restano quelli di prima.",
        ("accedi", "avvia_recupero_password"),
    ),
    "delega_form": Task(
        "la delega", "Non ho inviato nessuna delega.", ("mie_deleghe", "mie_forniture")
    ),
    "gestione_deleghe_form": Task(
        "la gestione delle deleghe",
        "Le tue deleghe restano come sono.",
        ("avvia_delega", "mie_forniture"),
    ),
    "richiamata_form": Task(
        "la richiesta di richiamata",
        "Non ho registrato nessuna richiesta di richiamata.",
        ("faq_consultare_servizi", "accedi"),
    ),
    "cancellazione_form": Task(
        "la cancellazione dell'utenza",
        "La tua utenza resta attiva.",
        ("mie_forniture", "richiedi_richiamata"),
    ),
    "collega_pod_form": Task(
        "il collegamento della fornitura",
        "Non ho collegato nessuna fornitura.",
        ("mie_forniture", "avvia_delega"),
    ),
    "forniture_form": Task(
        "l'elenco delle forniture", NOTHING_CHANGED, ("collega_pod", "stato_pratiche")
    ),
    "cambio_rappresentante_form": Task(
        "il cambio del rappresentante legale",
        "Non ho inviato nessuna richiesta.",
        ("stato_pratiche", "mie_forniture"),
    ),
    "stato_pratiche_form": Task(
        "lo stato delle richieste", NOTHING_CHANGED, ("mie_forniture", "richiedi_richiamata")
    ),
    "valutazione_form": Task(
        "il commento alla valutazione",
        "La tua valutazione resta registrata, senza commento.",
        ("faq_consultare_servizi", "richiedi_richiamata"),
        rated=False,
    ),
    "per_conto_form": Task(
        "la scelta della persona per cui operare",
        "Continui a operare a tuo nome.",
        ("mie_forniture", "stato_pratiche", "collega_pod"),
        rated=False,
    ),
}


@dataclass
class Reply:
    """What a step decided: the slots to set, what to tell the user, whether the flow ends."""

    slots: dict[str, Any] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    # A finished task offers what may come next; a flow that cannot go on offers help instead.
    offers_next: bool = True
    # ...and a rating, unless the customer stopped it or it refused to go on.
    offers_rating: bool = True


def say(response: str | None = None, **kwargs: Any) -> dict[str, Any]:
    """One message of a ``Reply``: a domain response, or ``text=``, with its variables."""
    return {"response": response, **kwargs} if response else kwargs


def ended(reason: str) -> Reply:
    """The flow cannot go on: say why, and where to get help."""
    return Reply(messages=[say(text=reason, buttons=HELP_BUTTONS)], done=True, offers_next=False)


Run = Callable[..., Any]


def guarded(run: Run) -> Run:
    """Wraps an action's ``run``: an unexpected exception (the database down, a bug) gives
    the customer an apology and the Help OnLine offer, ends the flow in progress, and is
    logged by its type and the frames' places only: the exception's message may quote the
    customer.
    """

    def recover(action: Any, error: Exception, dispatcher, tracker: Tracker, domain) -> list:
        frames = traceback.extract_tb(error.__traceback__)  # where, never the source lines
        trace = " < ".join(f"{f.filename}:{f.lineno} {f.name}" for f in reversed(frames))
        logger.error("%s failed: %s at %s", action.name(), type(error).__name__, trace)
        dispatcher.messages.clear()  # nothing half-said either
        dispatcher.utter_message(response=INTERNAL_ERROR_RESPONSE)
        form = (tracker.active_loop or {}).get("name")
        return stop_flow(domain, form, getattr(action, "private_slots", ())) if form else []

    if inspect.iscoroutinefunction(run):

        @functools.wraps(run)
        async def guarded_async(self, dispatcher, tracker, domain):
            try:
                return await run(self, dispatcher, tracker, domain)
            except Exception as error:  # noqa: BLE001 - the last line of defence
                return recover(self, error, dispatcher, tracker, domain)

        guarded_async.guarded = True
        return guarded_async

    @functools.wraps(run)
    def guarded_sync(self, dispatcher, tracker, domain):
        try:
            return run(self, dispatcher, tracker, domain)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            return recover(self, error, dispatcher, tracker, domain)

    guarded_sync.guarded = True
    return guarded_sync


def stop_flow(domain: dict[str, Any], form: str, private: tuple[str, ...] = ()) -> list:
    """The events that end ``form`` at once and forget what it collected."""
    emptied = [*form_slots(domain, form), *private, REQUESTED_SLOT]
    counters = [SlotSet(ATTEMPTS_SLOT, 0), SlotSet(DIGRESSIONS_SLOT, 0)]
    return [SlotSet(slot, None) for slot in emptied] + counters + [ActiveLoop(None)]


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
    # Earlier answers a later message may correct, tried in this order (values first: an
    # e-mail at «azienda.it» must not read as «sono un'azienda»).
    corrections: dict[str, Correction] = {}  # noqa: RUF012 - read only

    def name(self) -> str:
        return f"validate_{self.form}"

    @property
    def task(self) -> Task:
        return TASKS[self.form]

    def activate(self, tracker: Tracker) -> Reply:
        """What to do before the first question (e.g. skip the login when logged in)."""
        return Reply()

    def stops_flow(self, error: BackendError, tracker: Tracker) -> Reply | None:
        """A reply that ends the flow on this error instead of asking again (none here)."""
        return None

    def digresses(self, slot: str, message: dict[str, Any]) -> bool:
        """True when the message asks something else before its answer is even read: at a
        free-text step a confident other request wins over the words as an answer."""
        return slot in self.free_text and is_interruption(message, slot, answer_failed=False)

    @guarded
    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        slot = tracker.get_slot(REQUESTED_SLOT)
        if slot is None:  # activation: nothing answered yet
            return self._activate(dispatcher, tracker, domain)
        if not on_user_message(tracker):  # back after the rules answered a digression
            return self._after_digression(dispatcher, tracker)
        message = tracker.latest_message
        if slot == CONTINUE_SLOT:
            choice = (message.get("intent") or {}).get("name")
            if choice in ("affirm", "deny"):
                reply = self._go_on(tracker) if choice == "affirm" else self._stop(tracker)
                return self._apply(reply, dispatcher, domain)
            slot = self._paused_step(tracker, domain)  # they answered the question itself
        return self._answer(slot, dispatcher, tracker, domain)

    def _activate(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        try:
            reply = self.activate(tracker)
        except BackendError as error:
            reply = self.stops_flow(error, tracker)
            if reply is None:
                raise
        return self._apply(reply, dispatcher, domain)

    def _answer(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        message = tracker.latest_message
        if self.digresses(slot, message):
            return []
        text = (message.get("text") or "").strip()
        try:
            reply = self._correction(slot, text, tracker) or getattr(self, f"step_{slot}")(
                text, tracker
            )
        except BackendError as error:
            stop = self.stops_flow(error, tracker)
            if stop is not None:
                return self._apply(stop, dispatcher, domain)
            if is_interruption(message, slot):
                return []
            return self._retry(dispatcher, tracker, domain, error.message_it)
        reply.slots = {ATTEMPTS_SLOT: 0, **_calm(tracker), **reply.slots}
        if reply.done:
            metrics.FLOW_OUTCOMES.labels(self.form, "completed").inc()
        return self._apply(reply, dispatcher, domain)

    def correct(self, slot: str, value: Any, tracker: Tracker) -> Reply:
        """A corrected earlier answer: keep it, say so, empty what depended on it."""
        fix = self.corrections[slot]
        slots = {**dict.fromkeys(fix.redo), slot: value}
        return Reply(slots, [say(text=f"Ho corretto {fix.label}.")])

    def _correction(self, slot: str, text: str, tracker: Tracker) -> Reply | None:
        """The correction ``text`` announces, if it names a new value for an earlier answer."""
        if not CORRECTION_CUE.search(text) or (is_secret_slot(slot) and " " not in text):
            return None  # a password or a code that happens to hold «anzi» or «sbagliato»
        for earlier, fix in self.corrections.items():
            before = tracker.get_slot(earlier)
            if earlier == slot or before is None:
                continue
            try:
                value = fix.read(text, tracker)
            except BackendError:
                continue
            if value != before:
                return self.correct(earlier, value, tracker)
        return None

    def _after_digression(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> list[dict[str, Any]]:
        """The rules answered another question: count it; the second in a row asks whether
        to go on rather than repeat the question after every answer."""
        digressions = int(tracker.get_slot(DIGRESSIONS_SLOT) or 0) + 1
        events = [SlotSet(DIGRESSIONS_SLOT, digressions)]
        if digressions < MAX_DIGRESSIONS:
            return events  # the form asks its question again
        dispatcher.utter_message(response=CONTINUE_RESPONSE, compito=self.task.name)
        return events + [SlotSet(REQUESTED_SLOT, CONTINUE_SLOT)]

    def _go_on(self, tracker: Tracker) -> Reply:
        return Reply({DIGRESSIONS_SLOT: 0})  # the form asks the paused question again

    def _stop(self, tracker: Tracker) -> Reply:
        kept = self.task.kept
        if tracker.get_slot(ACCOUNT_SLOT):
            kept += " L'accesso resta attivo."
        text = f"Va bene, interrompo {self.task.name}. {kept}"
        return Reply({DIGRESSIONS_SLOT: 0}, [say(text=text)], done=True, offers_rating=False)

    def _paused_step(self, tracker: Tracker, domain: dict[str, Any]) -> str:
        slots = form_slots(domain, self.form)
        return next((slot for slot in slots if tracker.get_slot(slot) is None), slots[-1])

    def _retry(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, reason: str
    ) -> list[dict[str, Any]]:
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts < MAX_ATTEMPTS:
            reply = Reply({ATTEMPTS_SLOT: attempts, **_calm(tracker)}, [say(text=reason)])
            return self._apply(reply, dispatcher, domain)
        reply = Reply(_calm(tracker), [say(text=reason), say(GIVE_UP_RESPONSE)], done=True)
        metrics.FLOW_OUTCOMES.labels(self.form, "gave_up").inc()
        return self._apply(reply, dispatcher, domain, closing=False)

    def _apply(
        self,
        reply: Reply,
        dispatcher: CollectingDispatcher,
        domain: dict[str, Any],
        closing: bool = True,
    ) -> list[dict[str, Any]]:
        messages, offer = list(reply.messages), {}
        if reply.done and reply.offers_next and closing:  # what happened, then what may come next
            if reply.offers_rating and self.task.rated:
                messages.append(say(text=RATING_PROMPT, buttons=rating_buttons()))
                offer = {RATING_OFFER_SLOT: RATED_ASSISTANT, RATING_ID_SLOT: None}
            messages.append(say(COMPLETED_RESPONSE, buttons=self.task.next_buttons()))
        for message in messages:
            dispatcher.utter_message(**message)
        slots = dict(reply.slots)
        if reply.done:  # empty the flow's slots so the next run starts afresh
            emptied = form_slots(domain, self.form) + [*self.private_slots]
            slots = {**dict.fromkeys(emptied), **slots, ATTEMPTS_SLOT: 0}
        slots.update(offer)
        events = [SlotSet(name, value) for name, value in slots.items()]
        # Rasa ends the form when the last requested_slot it sees is None.
        return events + [SlotSet(REQUESTED_SLOT, None)] if reply.done else events


def _calm(tracker: Tracker) -> dict[str, int]:
    """An answer, right or wrong, ends a run of digressions."""
    return {DIGRESSIONS_SLOT: 0} if tracker.get_slot(DIGRESSIONS_SLOT) else {}


class ActionCancel(Action):
    """ "annulla" at any step: the flow stops and forgets what it collected."""

    def name(self) -> str:
        return CANCEL_ACTION

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        form = tracker.active_loop.get("name")
        if not form:
            dispatcher.utter_message(response="utter_niente_da_annullare")
            return []
        dispatcher.utter_message(response="utter_annullato")
        metrics.FLOW_OUTCOMES.labels(form, "cancelled").inc()
        return stop_flow(domain, form)
