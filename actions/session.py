"""Who is logged in to the chat: the login steps every account flow starts with, and logout.

The logged-in account lives in the ``account`` slot, which does not survive the end of the
conversation session (``carry_over_slots_to_new_session`` is off).

At the password step the user may ask for a code instead ("mandami un codice"): it goes by
SMS to the validated mobile, with the same answer whether or not the e-mail is registered,
and is typed at the same (secret) step.
"""

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import parse_email
from actions.contract import ACCOUNT_SLOT
from actions.flow import FlowForm, Reply, say
from actions.questions import AskAction
from backend import accounts, bootstrap

LOGIN_SLOTS = ("accesso_email", "accesso_password")
SKIPPED = "già autenticato"  # what the login slots hold when the user was logged in already
# "richiesto" once a login code was asked for in this login (changes the question).
LOGIN_CODE_SLOT = "accesso_codice"
_ONLY_CODE = re.compile(r"^\s*(\d{3})\s?(\d{3})\s*$")
_ASKS_FOR_CODE = re.compile(r"\b(codice|codici|sms|otp|messaggio)\b", re.IGNORECASE)
_RESEND = re.compile(r"non (mi )?(è|e'|e) arrivat|non (mi )?arriva|non l'ho ricevut", re.I)


def asks_for_login_code(text: str) -> bool:
    """ "mandami un codice", "accedo con l'sms", "sms": a request, not a password."""
    words = text.split()
    if len(words) == 1:
        return words[0].lower() in {"codice", "sms", "otp"}
    return bool(_ASKS_FOR_CODE.search(text) or _RESEND.search(text))


def logged_in(tracker: Tracker) -> int | None:
    return tracker.get_slot(ACCOUNT_SLOT)


class LoginSteps(FlowForm):
    """The first two steps of every flow that needs an account: e-mail, then password."""

    def after_login(self, account_id: int) -> Reply | None:
        """What follows the login, whether the user was logged in already or just now: a
        ``Reply`` (what to show, whether the flow ends), or None to go on to the next step."""
        return None

    def activate(self, tracker: Tracker) -> Reply:
        account_id = logged_in(tracker)
        if account_id:
            return self.after_login(account_id) or Reply(dict.fromkeys(LOGIN_SLOTS, SKIPPED))
        return Reply({LOGIN_CODE_SLOT: None}, [say("utter_accesso_necessario")])

    def step_accesso_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"accesso_email": parse_email(text)})

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        uow, email = bootstrap.unit_of_work(), tracker.get_slot("accesso_email")
        code = _ONLY_CODE.match(text)
        if code:
            account = accounts.login_with_code(uow, email, "".join(code.groups()))
        elif asks_for_login_code(text):
            accounts.request_login_code(uow, email)
            return Reply({LOGIN_CODE_SLOT: "richiesto"}, [say("utter_accesso_codice_inviato")])
        else:
            account = accounts.login(uow, email, text)
        reply = Reply(
            {"accesso_password": SKIPPED, ACCOUNT_SLOT: account, LOGIN_CODE_SLOT: None},
            [say("utter_accesso_riuscito")],
        )
        then = self.after_login(account)
        if then is not None:
            reply.slots |= then.slots
            reply.messages += then.messages
            reply.done = then.done
        return reply


class LoginThenShow(LoginSteps):
    """A flow that only logs in, then shows the customer something («le mie forniture»)."""

    @abstractmethod
    def show(self, account_id: int) -> dict[str, Any]:
        """The message to show, as ``say`` builds it."""

    def after_login(self, account_id: int) -> Reply:
        return Reply(messages=[self.show(account_id)], done=True)


class ValidateLoginForm(LoginSteps):
    """Logging in on its own ("voglio accedere")."""

    form = "accesso_form"

    def activate(self, tracker: Tracker) -> Reply:
        if logged_in(tracker):
            return Reply(messages=[say("utter_accesso_gia_fatto")], done=True)
        return Reply({LOGIN_CODE_SLOT: None})

    def after_login(self, account_id: int) -> Reply:
        return Reply(done=True)


class ActionAskLoginPassword(AskAction):
    """The password question, or the code question once a login code was sent."""

    slot = "accesso_password"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        if tracker.get_slot(LOGIN_CODE_SLOT):
            return [say("utter_ask_accesso_codice")]
        return [say("utter_ask_accesso_password")]


class ActionLogout(Action):
    """ "esci": forget the logged-in account."""

    def name(self) -> str:
        return "action_esci"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not logged_in(tracker):
            dispatcher.utter_message(response="utter_esci_non_autenticato")
            return []
        dispatcher.utter_message(response="utter_esci_fatto")
        return [SlotSet(ACCOUNT_SLOT, None)]
