"""Registration in the chat: holder data, mobile and e-mail codes, clauses, password.

A company is registered by its legal representative, with the company's data and their own
Codice Fiscale (FAQ 10): a new representative registers the company again that way.
"""

from typing import Any

from rasa_sdk import Tracker

from actions.answers import (
    NOT_ASKED,
    answered,
    parse_customer_kind,
    parse_email,
    parse_fiscal_id,
    parse_person_name,
    parse_yes_no,
)
from actions.codes import CodeStep
from actions.contract import ACCOUNT_SLOT
from actions.flow import Correction, FlowForm, Invalid, Reply, ended, say
from actions.questions import AskAction, clauses_question
from actions.session import RENEWAL
from actions.sms import client
from backend import accounts, bootstrap
from backend.entities import AccountStatus, CustomerKind
from backend.masking import mask_email
from backend.parsing import find_mobile
from backend.settings import get_settings
from backend.sms_budget import SmsRefused
from backend.validators import validate_password

PENDING_ACCOUNT = "registrazione_account"
REPRESENTATIVE = "registrazione_rappresentante"
# True after an SMS refusal: the backend rolled back the whole step.
NOTHING_KEPT = "Non ho salvato nessun dato: quando vorrai potrai ricominciare la registrazione."
# What the mobile step started: the pending account and the steps verified on it.
FROM_MOBILE = (
    "registrazione_cellulare",
    "registrazione_sms_otp",
    "registrazione_email_otp",
    "registrazione_clausole",
    PENDING_ACCOUNT,
)
NOT_A_MOBILE = (
    "Serve un numero di cellulare italiano, ad esempio 333 123 4567: "
    "i numeri fissi e quelli esteri non possono ricevere il codice."
)


def read_mobile(text: str, tracker: Tracker | None = None) -> str:
    mobile = find_mobile(text)
    if mobile is None:
        raise Invalid(NOT_A_MOBILE)
    return mobile


def _read_fiscal_id(text: str, tracker: Tracker) -> str:
    return parse_fiscal_id(text, tracker.get_slot("registrazione_tipo"))


class ValidateRegistrationForm(FlowForm):
    form = "registrazione_form"
    free_text = frozenset({"registrazione_nome"})
    private_slots = (PENDING_ACCOUNT,)
    # A new holder starts the account again from the mobile; a new contact is corrected on
    # the pending account (``correct``).
    corrections = {
        "registrazione_email": Correction("l'e-mail", lambda text, _: parse_email(text)),
        "registrazione_cellulare": Correction("il numero di cellulare", read_mobile),
        "registrazione_codice_fiscale": Correction(
            "il Codice Fiscale o la Partita IVA", _read_fiscal_id, FROM_MOBILE
        ),
        "registrazione_tipo": Correction(
            "il tipo di cliente",
            lambda text, _: parse_customer_kind(text),
            ("registrazione_nome", "registrazione_codice_fiscale", REPRESENTATIVE, *FROM_MOBILE),
        ),
    }

    def correct(self, slot: str, value: Any, tracker: Tracker) -> Reply:
        account_id = tracker.get_slot(PENDING_ACCOUNT)
        if account_id is None or slot not in ("registrazione_email", "registrazione_cellulare"):
            return super().correct(slot, value, tracker)
        uow = bootstrap.unit_of_work()
        if slot == "registrazione_cellulare":
            accounts.correct_registration_contact(
                uow, account_id, client=client(tracker), mobile=value
            )
            return Reply(
                {**dict.fromkeys(FROM_MOBILE[1:4]), slot: value},
                [say(text=_new_code("il numero", "al numero precedente", _to_mobile(value)))],
            )
        status = accounts.correct_registration_contact(
            uow, account_id, client=client(tracker), email=value
        )
        if status == AccountStatus.MOBILE_PENDING:  # its code comes after the SMS one
            return Reply({slot: value}, [say(text="Ho corretto l'e-mail.")])
        return Reply(
            {**dict.fromkeys(FROM_MOBILE[2:4]), slot: value},
            [say(text=_new_code("l'e-mail", "al vecchio indirizzo", f"a {mask_email(value)}"))],
        )

    def step_registrazione_tipo(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"registrazione_tipo": parse_customer_kind(text)})

    def step_registrazione_nome(self, text: str, tracker: Tracker) -> Reply:
        if tracker.get_slot("registrazione_tipo") == CustomerKind.COMPANY:
            if len(text) < 2 or "?" in text:
                raise Invalid("Scrivi la ragione sociale dell'azienda, ad esempio «Rossi S.r.l.».")
            return Reply({"registrazione_nome": text})
        first, last = parse_person_name(text)
        return Reply({"registrazione_nome": f"{first}|{last}"})

    def step_registrazione_codice_fiscale(self, text: str, tracker: Tracker) -> Reply:
        kind = tracker.get_slot("registrazione_tipo")
        slots = {"registrazione_codice_fiscale": parse_fiscal_id(text, kind)}
        if kind != CustomerKind.COMPANY:
            slots[REPRESENTATIVE] = NOT_ASKED
        return Reply(slots)

    def step_registrazione_rappresentante(self, text: str, tracker: Tracker) -> Reply:
        return Reply({REPRESENTATIVE: parse_fiscal_id(text, CustomerKind.PERSON)})

    def step_registrazione_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"registrazione_email": parse_email(text)})

    def step_registrazione_cellulare(self, text: str, tracker: Tracker) -> Reply:
        mobile = read_mobile(text)
        first, last, company = _holder_names(tracker)
        try:
            account_id = accounts.start_registration(
                bootstrap.unit_of_work(),
                fiscal_id=tracker.get_slot("registrazione_codice_fiscale"),
                email=tracker.get_slot("registrazione_email"),
                mobile=mobile,
                first_name=first,
                last_name=last,
                company_name=company,
                representative_fiscal_code=answered(tracker.get_slot(REPRESENTATIVE)),
                client=client(tracker),
            )
        except SmsRefused as refused:  # no wrong answer: asking again would not help
            return ended(f"{refused.message_it} {NOTHING_KEPT}")
        return Reply(
            {"registrazione_cellulare": mobile, PENDING_ACCOUNT: account_id},
            [say("utter_codice_sms_inviato", finale=mobile[-2:])],
        )

    def step_registrazione_sms_otp(self, text: str, tracker: Tracker) -> Reply:
        return REGISTRATION_SMS.check(text, tracker, "registrazione_sms_otp")

    def step_registrazione_email_otp(self, text: str, tracker: Tracker) -> Reply:
        return REGISTRATION_EMAIL.check(text, tracker, "registrazione_email_otp")

    def step_registrazione_clausole(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_registrazione_clausole_rifiutate")], done=True)
        accounts.accept_clauses(bootstrap.unit_of_work(), tracker.get_slot(PENDING_ACCOUNT))
        return Reply({"registrazione_clausole": True})

    def step_registrazione_password(self, text: str, tracker: Tracker) -> Reply:
        account_id = tracker.get_slot(PENDING_ACCOUNT)
        accounts.set_password(bootstrap.unit_of_work(), account_id, validate_password(text))
        return Reply(
            {ACCOUNT_SLOT: account_id},
            [say("utter_registrazione_completata"), RENEWAL],
            done=True,
        )


def _to_mobile(mobile: str) -> str:
    return f"al numero che termina con …{mobile[-2:]}"


def _new_code(label: str, old: str, new: str) -> str:
    return (
        f"Ho corretto {label}: il codice inviato {old} non vale più, "
        f"ti ho inviato un nuovo codice {new}."
    )


def _holder_names(tracker: Tracker) -> tuple[str, str, str]:
    name = tracker.get_slot("registrazione_nome") or ""
    if tracker.get_slot("registrazione_tipo") == CustomerKind.COMPANY:
        return "", "", name
    first, _, last = name.partition("|")
    return first, last, ""


def _resend_registration_code(tracker: Tracker) -> None:
    accounts.resend_registration_code(
        bootstrap.unit_of_work(), tracker.get_slot(PENDING_ACCOUNT), client=client(tracker)
    )


def _verify_mobile(tracker: Tracker, code: str) -> Reply:
    uow = bootstrap.unit_of_work()
    accounts.verify_mobile(uow, tracker.get_slot(PENDING_ACCOUNT), code)
    email = tracker.get_slot("registrazione_email")
    return Reply(messages=[say("utter_codice_email_inviato", email=mask_email(email))])


def _verify_email(tracker: Tracker, code: str) -> Reply:
    accounts.verify_email(bootstrap.unit_of_work(), tracker.get_slot(PENDING_ACCOUNT), code)
    return Reply(messages=[say(text="E-mail verificata.")])


REGISTRATION_SMS = CodeStep(_verify_mobile, _resend_registration_code, channel="sms")
REGISTRATION_EMAIL = CodeStep(_verify_email, _resend_registration_code, channel="email")


class ActionAskClauses(AskAction):
    """Shows the legal clauses as a link with accept and decline buttons."""

    slot = "registrazione_clausole"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [
            clauses_question("Leggi le clausole legali del portale", get_settings().clauses_url)
        ]
