"""Credentials in the chat for who cannot log in: password reset, username recovery and change.

The password reset answers alike whether or not the e-mail is registered: the backend does
the same work either way, and the tries left on a code are counted in this conversation,
never read from the account. Username recovery says plainly when no account has the fiscal
data given (registration reveals it anyway) and what to do then. A verified code leaves the
backend a short-lived grant bound to the conversation, so the code is never kept for the
later step.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from rasa_sdk import Tracker

from actions.answers import (
    NOT_ASKED,
    answered,
    parse_customer_kind,
    parse_email,
    parse_fiscal_id,
    parse_yes_no,
)
from actions.codes import CODE_IN_TEXT, RESEND_BUTTON, RESEND_REQUEST, CodeStep
from actions.flow import Correction, FlowForm, Invalid, Reply, ended, say
from actions.sms import client
from backend import bootstrap, codes, credentials
from backend.entities import CustomerKind
from backend.errors import CodeRejected, NotAllowed, NotFound, Throttled
from backend.settings import get_settings

# A wrong code, whether the account exists or not: these are counted in the conversation.
_WRONG = {codes.WRONG_CODE, codes.TOO_MANY_TRIES}
EXHAUSTED = "Hai esaurito i tentativi: richiedi un nuovo codice."


@dataclass(frozen=True)
class NeutralCodeStep(CodeStep):
    """A code step for users not logged in: ``counter`` is the slot with this
    conversation's wrong codes and ``sent_at`` the one with when it last asked for a code,
    so neither the tries left nor the resend limit tell whether the account exists."""

    counter: str = ""
    sent_at: str = ""

    def check(self, text: str, tracker: Tracker, slot: str) -> Reply:
        if RESEND_REQUEST.search(text):
            return self._resend_once_a_minute(tracker)
        match = CODE_IN_TEXT.search(text)
        if match is None:
            raise Invalid("Il codice è di 6 cifre: copialo dal messaggio che ti ho inviato.")
        wrong = int(tracker.get_slot(self.counter) or 0)
        settings = get_settings()
        allowed = settings.code_max_attempts
        if wrong >= allowed:
            return _rejected(EXHAUSTED)
        if self._since_sent(tracker) >= timedelta(minutes=settings.code_ttl_minutes):
            return _rejected(codes.EXPIRED)  # known by the conversation, for any account
        try:
            reply = self.verify(tracker, "".join(match.groups()))
        except CodeRejected as rejected:
            if rejected.message_it not in _WRONG:  # expired, or none requested
                return _rejected(rejected.message_it)
            wrong += 1
            left = allowed - wrong
            if left <= 0:
                tries = EXHAUSTED
            else:
                tries = f"Ti restano {left} {'tentativo' if left == 1 else 'tentativi'}."
            reply = _rejected(f"{codes.WRONG_CODE} {tries}")
            reply.slots = {self.counter: wrong}
            return reply
        if not reply.done:  # a flow that ends here must not leave the slot filled
            reply.slots = {slot: "verificato", **reply.slots}
        return reply

    def _since_sent(self, tracker: Tracker) -> timedelta:
        """How long ago this conversation asked for the code (zero when it does not know)."""
        sent = tracker.get_slot(self.sent_at)
        if not sent:
            return timedelta(0)
        return bootstrap.unit_of_work().now() - datetime.fromisoformat(sent)

    def _resend_once_a_minute(self, tracker: Tracker) -> Reply:
        wait = timedelta(seconds=get_settings().code_resend_seconds)
        if tracker.get_slot(self.sent_at) and self._since_sent(tracker) < wait:
            advice = say(f"utter_consigli_codice_{self.channel}")
            return Reply(messages=[say(text=codes.too_soon(get_settings())), advice])
        reply = self._resend(tracker)
        reply.slots = {self.counter: 0, self.sent_at: code_sent(bootstrap.unit_of_work())}
        return reply


def code_sent(uow) -> str:
    """What a ``sent_at`` slot holds: when the conversation asked for a code."""
    return uow.now().isoformat()


def _rejected(reason: str) -> Reply:
    return Reply(messages=[say(text=reason, buttons=[RESEND_BUTTON])])


# --- password reset ----------------------------------------------------------------------

RESET_EMAIL = "recupero_password_email"
RESET_WRONG_CODES = "recupero_password_errori"
RESET_SENT_AT = "recupero_password_inviato"


def _request_reset_code(tracker: Tracker) -> None:
    credentials.request_password_reset(bootstrap.unit_of_work(), tracker.get_slot(RESET_EMAIL))


def _verify_reset_code(tracker: Tracker, code: str) -> Reply:
    try:
        credentials.verify_password_reset_code(
            bootstrap.unit_of_work(), tracker.get_slot(RESET_EMAIL), code, tracker.sender_id
        )
    except NotAllowed as refused:  # changed in the last 24 hours: nothing to do today
        return Reply(messages=[say(text=refused.message_it)], done=True)
    return Reply(messages=[say(text="Codice corretto.")])


RESET_CODE = NeutralCodeStep(
    _verify_reset_code,
    _request_reset_code,
    channel="email",
    # The backend sends nothing to an unknown address, nor to one that asked too often.
    resent="utter_codice_reinviato_se_registrata",
    counter=RESET_WRONG_CODES,
    sent_at=RESET_SENT_AT,
)


class ValidatePasswordResetForm(FlowForm):
    """ "Ho dimenticato la password": e-mail, code by e-mail, new password."""

    form = "recupero_password_form"
    private_slots = (RESET_WRONG_CODES, RESET_SENT_AT)

    def step_recupero_password_email(self, text: str, tracker: Tracker) -> Reply:
        email, uow = parse_email(text), bootstrap.unit_of_work()
        credentials.request_password_reset(uow, email)
        return Reply(
            {RESET_EMAIL: email, RESET_WRONG_CODES: 0, RESET_SENT_AT: code_sent(uow)},
            [say("utter_recupero_password_codice_inviato")],
        )

    def step_recupero_password_email_otp(self, text: str, tracker: Tracker) -> Reply:
        return RESET_CODE.check(text, tracker, "recupero_password_email_otp")

    def step_recupero_password_nuova_password(self, text: str, tracker: Tracker) -> Reply:
        uow = bootstrap.unit_of_work()
        email = tracker.get_slot(RESET_EMAIL)
        try:
            credentials.reset_password_with_grant(uow, email, tracker.sender_id, text)
        except (CodeRejected, NotAllowed) as stopped:
            return ended(stopped.message_it)
        return Reply(messages=[say("utter_recupero_password_completato")], done=True)


# --- username recovery and change --------------------------------------------------------

USERNAME_KIND = "recupero_username_tipo"
USERNAME_FISCAL_ID = "recupero_username_codice_fiscale"
USERNAME_REPRESENTATIVE = "recupero_username_rappresentante"
USERNAME_WRONG_CODES = "recupero_username_errori"
USERNAME_SENT_AT = "recupero_username_inviato"


def _holder(tracker: Tracker) -> tuple[str, str]:
    """The fiscal data the customer gave: their own, or a company's and its representative's."""
    return tracker.get_slot(USERNAME_FISCAL_ID), answered(tracker.get_slot(USERNAME_REPRESENTATIVE))


def _request_username_code(tracker: Tracker) -> None:
    credentials.request_username_change(
        bootstrap.unit_of_work(), *_holder(tracker), client=client(tracker), resend=True
    )


def _verify_username_code(tracker: Tracker, code: str) -> Reply:
    credentials.verify_username_change_code(
        bootstrap.unit_of_work(), *_holder(tracker), code, tracker.sender_id
    )
    return Reply(messages=[say(text="Codice corretto.")])


USERNAME_CODE = NeutralCodeStep(
    _verify_username_code,
    _request_username_code,
    channel="sms",
    counter=USERNAME_WRONG_CODES,
    sent_at=USERNAME_SENT_AT,
)


def _show_username(fiscal_id: str, representative: str, slots: dict) -> Reply:
    """The masked e-mail of the account with these fiscal data, or the plain news that none
    has them, with what to do then (FAQ 7): check them, register, or ask for help."""
    try:
        masked = credentials.recover_username(bootstrap.unit_of_work(), fiscal_id, representative)
    except NotFound:
        return Reply(messages=[say("utter_recupero_username_nessuna_utenza")], done=True)
    return Reply(slots, [say("utter_recupero_username_trovata", email=masked)])


class ValidateUsernameRecoveryForm(FlowForm):
    """ "Ho dimenticato la username": fiscal data, masked e-mail, and a change if it is old."""

    form = "recupero_username_form"
    private_slots = (USERNAME_WRONG_CODES, USERNAME_SENT_AT)
    corrections = {
        USERNAME_KIND: Correction(
            "il tipo di cliente",
            lambda text, _: parse_customer_kind(text),
            (USERNAME_FISCAL_ID, USERNAME_REPRESENTATIVE),
        )
    }

    def step_recupero_username_tipo(self, text: str, tracker: Tracker) -> Reply:
        return Reply({USERNAME_KIND: parse_customer_kind(text)})

    def step_recupero_username_codice_fiscale(self, text: str, tracker: Tracker) -> Reply:
        number = parse_fiscal_id(text, tracker.get_slot(USERNAME_KIND))
        if tracker.get_slot(USERNAME_KIND) == CustomerKind.COMPANY:
            return Reply({USERNAME_FISCAL_ID: number})  # the representative's code comes next
        slots = {USERNAME_FISCAL_ID: number, USERNAME_REPRESENTATIVE: NOT_ASKED}
        return _show_username(number, "", slots)

    def step_recupero_username_rappresentante(self, text: str, tracker: Tracker) -> Reply:
        representative = parse_fiscal_id(text, CustomerKind.PERSON)
        fiscal_id = tracker.get_slot(USERNAME_FISCAL_ID)
        return _show_username(fiscal_id, representative, {USERNAME_REPRESENTATIVE: representative})

    def step_recupero_username_conferma(self, text: str, tracker: Tracker) -> Reply:
        if parse_yes_no(text):
            return Reply(messages=[say("utter_recupero_username_accedi")], done=True)
        uow = bootstrap.unit_of_work()
        try:
            masked = credentials.request_username_change(
                uow, *_holder(tracker), client=client(tracker)
            )
        except (NotAllowed, Throttled) as refused:  # no validated mobile, a code just sent, or
            # the SMS budget spent (its reason offers Help OnLine)
            return ended(refused.message_it)
        return Reply(
            {
                "recupero_username_conferma": "no",
                USERNAME_WRONG_CODES: 0,
                USERNAME_SENT_AT: code_sent(uow),
            },
            [say("utter_codice_sms_inviato", finale=masked[-2:])],
        )

    def step_recupero_username_sms_otp(self, text: str, tracker: Tracker) -> Reply:
        return USERNAME_CODE.check(text, tracker, "recupero_username_sms_otp")

    def step_recupero_username_nuova_email(self, text: str, tracker: Tracker) -> Reply:
        email = parse_email(text)
        try:
            credentials.change_username_with_grant(
                bootstrap.unit_of_work(), *_holder(tracker), tracker.sender_id, email
            )
        except CodeRejected as stopped:
            return ended(stopped.message_it)
        return Reply(messages=[say("utter_recupero_username_completato", email=email)], done=True)
