"""Help OnLine in the chat: a request to be called back, with or without logging in.

The time slots offered and the promise of a call come from the operators' hours
(``ORARI_OPERATORI``), never from the code.
"""

import re
from typing import Any

import phonenumbers
from rasa_sdk import Tracker

from actions.answers import parse_person_name
from actions.contract import CALLBACK_FORM
from actions.flow import (
    ALWAYS_INTERRUPTING,
    INTERRUPT_CONFIDENCE,
    Correction,
    FlowForm,
    Invalid,
    Reply,
    say,
)
from actions.questions import AskAction
from actions.session import logged_in
from backend import accounts, bootstrap, callbacks
from backend.errors import InvalidInput
from backend.settings import get_settings
from backend.validators import validate_phone

MAX_TIME_LENGTH = 100
ANY_TIME = "Qualsiasi orario"
_COMPANY_WORDS = re.compile(r"\b(s\.?r\.?l|s\.?p\.?a|s\.?n\.?c|s\.?a\.?s|ditta|societ)", re.I)


def refuse_cancel(tracker: Tracker, reason: str) -> None:
    """ "annulla" is not an answer: failing here lets the rules cancel the flow."""
    intent = tracker.latest_message.get("intent") or {}
    confident = (intent.get("confidence") or 0.0) >= INTERRUPT_CONFIDENCE
    if confident and intent.get("name") in ALWAYS_INTERRUPTING:
        raise Invalid(reason)


def find_phone(text: str) -> str | None:
    """The first valid Italian number in the text (landlines too), as E.164."""
    for match in phonenumbers.PhoneNumberMatcher(text, "IT"):
        try:
            return validate_phone(match.raw_string)
        except InvalidInput:
            continue
    return None


NOT_A_PHONE = (
    "Serve un numero di telefono italiano, fisso o cellulare, ad esempio "
    "06 1234 5678 oppure 333 123 4567."
)


def read_phone(text: str, tracker: Tracker | None = None) -> str:
    phone = find_phone(text)
    if phone is None:
        raise Invalid(NOT_A_PHONE)
    return phone


class ValidateCallbackForm(FlowForm):
    form = CALLBACK_FORM
    free_text = frozenset({"richiamata_nome", "richiamata_orario"})
    corrections = {"richiamata_telefono": Correction("il numero da chiamare", read_phone)}

    def activate(self, tracker: Tracker) -> Reply:
        account_id = logged_in(tracker)
        if account_id is None:
            return Reply()
        account = accounts.get_account(bootstrap.unit_of_work(), account_id)
        return Reply({"richiamata_nome": account.display_name})

    def step_richiamata_argomento(self, text: str, tracker: Tracker) -> Reply:
        reason = "Scrivi in poche parole il motivo della richiesta, o scegli un argomento."
        refuse_cancel(tracker, reason)
        if len(text) < 3 or not any(char.isalpha() for char in text):
            raise Invalid(reason)
        return Reply({"richiamata_argomento": text[:500]})

    def step_richiamata_nome(self, text: str, tracker: Tracker) -> Reply:
        if _COMPANY_WORDS.search(text) and len(text) <= 200:
            return Reply({"richiamata_nome": text})
        first, last = parse_person_name(text)
        return Reply({"richiamata_nome": f"{first} {last}"})

    def step_richiamata_telefono(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"richiamata_telefono": read_phone(text)})

    def step_richiamata_orario(self, text: str, tracker: Tracker) -> Reply:
        if len(text) < 2 or len(text) > MAX_TIME_LENGTH:
            raise Invalid(
                "Indica quando preferisci ricevere la chiamata, ad esempio «domani mattina» "
                "o «dopo le 15», oppure scegli una fascia oraria."
            )
        uow = bootstrap.unit_of_work()
        ticket = callbacks.request_callback(
            uow,
            name=tracker.get_slot("richiamata_nome") or "",
            phone=tracker.get_slot("richiamata_telefono"),
            topic=tracker.get_slot("richiamata_argomento") or "",
            preferred_time=text,
            account_id=logged_in(tracker),
            sender_id=tracker.sender_id,
        )
        phone = tracker.get_slot("richiamata_telefono")
        messages = [
            say("utter_richiamata_registrata", ticket=ticket, finale=phone[-2:], orario=text)
        ]
        if not get_settings().operator_hours().is_open(uow.now()):
            messages.append(say("utter_richiamata_fuori_orario"))
        return Reply(messages=messages, done=True)


class ActionAskCallbackPhone(AskAction):
    """The number to call; a logged-in customer gets the mobile on file as a button."""

    slot = "richiamata_telefono"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        buttons = []
        account_id = logged_in(tracker)
        if account_id is not None:
            mobile = accounts.get_account(bootstrap.unit_of_work(), account_id).mobile
            buttons = [{"title": f"Il mio cellulare …{mobile[-2:]}", "payload": mobile}]
        return [say("utter_ask_richiamata_telefono", buttons=buttons)]


class ActionAskCallbackTime(AskAction):
    """When to call, with the operators' hours as the slots to pick."""

    slot = "richiamata_orario"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        slots = [*get_settings().operator_hours().slots_it(), ANY_TIME]
        buttons = [{"title": slot, "payload": slot} for slot in slots]
        return [say("utter_ask_richiamata_orario", buttons=buttons)]
