"""Who is logged in to the chat: the login steps every account flow starts with, and logout.

The logged-in account lives in the ``account`` slot, which does not survive the end of the
conversation session (``carry_over_slots_to_new_session`` is off).
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import FlowForm, Reply, say
from backend import accounts, bootstrap
from backend.validators import validate_email

ACCOUNT_SLOT = "account"
LOGIN_SLOTS = ("accesso_email", "accesso_password")
SKIPPED = "già autenticato"  # what the login slots hold when the user was logged in already


def logged_in(tracker: Tracker) -> int | None:
    return tracker.get_slot(ACCOUNT_SLOT)


class LoginSteps(FlowForm):
    """The first two steps of every flow that needs an account: e-mail, then password."""

    def activate(self, tracker: Tracker) -> Reply:
        if logged_in(tracker):
            return Reply(dict.fromkeys(LOGIN_SLOTS, SKIPPED))
        return Reply(messages=[say("utter_accesso_necessario")])

    def step_accesso_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"accesso_email": validate_email(text)})

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        account = accounts.login(bootstrap.unit_of_work(), tracker.get_slot("accesso_email"), text)
        return Reply(
            {"accesso_password": SKIPPED, ACCOUNT_SLOT: account},
            [say("utter_accesso_riuscito")],
        )


class ValidateLoginForm(LoginSteps):
    """Logging in on its own ("voglio accedere")."""

    form = "accesso_form"

    def activate(self, tracker: Tracker) -> Reply:
        if logged_in(tracker):
            return Reply(messages=[say("utter_accesso_gia_fatto")], done=True)
        return Reply()

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        reply = super().step_accesso_password(text, tracker)
        reply.done = True
        return reply


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
