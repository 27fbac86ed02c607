"""Who is logged in to the chat: the login steps every account flow starts with, and logout.

The logged-in account lives in the ``account`` slot, which does not survive the end of the
conversation session (``carry_over_slots_to_new_session`` is off).

The chat logs in the portal's way only, username and password: the portal has no login by
code, and what it guards with the password (a delega, the deletion of the profile, a new
username) must not open to a code alone. A customer who asks for a code at the password
step («mandami un codice») is told so, and how to reset a forgotten password.
"""

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import parse_email
from actions.contract import ACCOUNT_SLOT
from actions.flow import FlowForm, Reply, guarded, say
from backend import accounts, bootstrap
from backend.validators import missing_password_requirements

LOGIN_SLOTS = ("accesso_email", "accesso_password")
SKIPPED = "già autenticato"  # what the login slots hold when the user was logged in already
_ASKS_FOR_CODE = re.compile(r"\b(codice|codici|sms|otp|messaggio)\b", re.IGNORECASE)
_RESEND = re.compile(r"non (mi )?(è|e'|e) arrivat|non (mi )?arriva|non l'ho ricevut", re.I)


def asks_for_login_code(text: str) -> bool:
    """ "mandami un codice", "accedo con l'sms", "sms": a request, not a password (a text
    that meets the password rule is always tried as one)."""
    if not missing_password_requirements(text):
        return False
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
        return Reply(messages=[say("utter_accesso_necessario")])

    def step_accesso_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"accesso_email": parse_email(text)})

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        if asks_for_login_code(text):  # asked again, and no failed login counted
            return Reply(messages=[say("utter_accesso_solo_password")])
        email = tracker.get_slot("accesso_email")
        account = accounts.login(bootstrap.unit_of_work(), email, text)
        reply = Reply(
            {"accesso_password": SKIPPED, ACCOUNT_SLOT: account}, [say("utter_accesso_riuscito")]
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
        return Reply()

    def after_login(self, account_id: int) -> Reply:
        return Reply(done=True)


class ActionLogout(Action):
    """ "esci": forget the logged-in account."""

    def name(self) -> str:
        return "action_esci"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if not logged_in(tracker):
            dispatcher.utter_message(response="utter_esci_non_autenticato")
            return []
        dispatcher.utter_message(response="utter_esci_fatto")
        return [SlotSet(ACCOUNT_SLOT, None)]
