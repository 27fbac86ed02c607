"""Who is logged in to the chat: the login steps every account flow starts with, and logout.

The logged-in account lives in the ``account`` slot, which does not survive the end of the
conversation session (``carry_over_slots_to_new_session`` is off).

The chat logs in the portal's way only, username and password: the portal has no login by
code, and what it guards with the password (a delega, the deletion of the profile, a new
username) must not open to a code alone. A customer who asks for a code at the password
step («mandami un codice») is told so, and how to reset a forgotten password.

A logged-in delegate may act for someone who gave them an active delega
(``actions/acting_for.py``): the ``per_conto_di`` slot holds that person's account. Only the
delegated services (``LoginSteps.delegated``) then work for them, checked by the backend on
every action; every other flow refuses until «torna a me».
"""

import re
from abc import abstractmethod
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import parse_email
from actions.contract import (
    ACCOUNT_SLOT,
    ACTING_FOR_SLOT,
    RENEW_CREDENTIAL,
    RENEW_CREDENTIAL_KEY,
)
from actions.flow import FlowForm, Reply, guarded, say
from backend import accounts, acting, bootstrap
from backend.errors import BackendError, DelegationEnded
from backend.validators import missing_password_requirements

LOGIN_SLOTS = ("accesso_email", "accesso_password")
SKIPPED = "già autenticato"  # what the login slots hold when the user was logged in already
_ASKS_FOR_CODE = re.compile(r"\b(codice|codici|sms|otp|messaggio)\b", re.IGNORECASE)
# Sent with every login: the web app gives the client a new credential for the conversation,
# so that one obtained before the login does not reach the logged-in chat.
RENEWAL = {"json_message": {RENEW_CREDENTIAL_KEY: RENEW_CREDENTIAL}}
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


ACTING_FOR_NAME_SLOT = "per_conto_nome"
NOT_ACTING = {ACTING_FOR_SLOT: None, ACTING_FOR_NAME_SLOT: None}


@dataclass(frozen=True)
class Customer:
    """Whom a task is for: the logged-in account itself, or the delegator it acts for."""

    id: int
    actor_id: int
    name: str = ""  # the delegator's name, while acting for them

    @property
    def delegate(self) -> int | None:
        """The delegate the backend checks and audits, when acting for someone else."""
        return self.actor_id if self.id != self.actor_id else None


def customer(tracker: Tracker) -> Customer:
    actor = logged_in(tracker)
    acting_for = tracker.get_slot(ACTING_FOR_SLOT)
    if actor and acting_for:
        return Customer(int(acting_for), actor, tracker.get_slot(ACTING_FOR_NAME_SLOT) or "")
    return Customer(actor, actor)


def acting_ended(name: str) -> Reply:
    """The delega stopped (expired, suspended, revoked): back to the delegate's own account."""
    return Reply(NOT_ACTING, [say("utter_per_conto_finito", nome=name or "questa persona")], True)


class LoginSteps(FlowForm):
    """The first two steps of every flow that needs an account: e-mail, then password."""

    # A delegated service (FAQ 13): while the delegate acts for someone, done for them.
    delegated = False

    def after_login(self, account_id: int) -> Reply | None:
        """What follows the login, whether the user was logged in already or just now: a
        ``Reply`` (what to show, whether the flow ends), or None to go on to the next step."""
        return None

    def for_delegator(self, who: Customer) -> Reply:
        """A delegated service started while acting for someone: the delega still active,
        say for whom, go on."""
        acting.check(bootstrap.unit_of_work(), who.actor_id, who.id)
        return Reply(
            dict.fromkeys(LOGIN_SLOTS, SKIPPED),
            [say(text=f"Operi per conto di {who.name}.")],
        )

    def activate(self, tracker: Tracker) -> Reply:
        account_id = logged_in(tracker)
        if not account_id:
            return Reply(messages=[say("utter_accesso_necessario")])
        who = customer(tracker)
        if who.delegate is None:
            return self.after_login(account_id) or Reply(dict.fromkeys(LOGIN_SLOTS, SKIPPED))
        if not self.delegated:
            refused = say("utter_per_conto_non_consentito", nome=who.name)
            return Reply(messages=[refused], done=True, offers_rating=False)
        return self.for_delegator(who)

    def stops_flow(self, error: BackendError, tracker: Tracker) -> Reply | None:
        if isinstance(error, DelegationEnded):
            return acting_ended(customer(tracker).name)
        return None

    def step_accesso_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"accesso_email": parse_email(text)})

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        if asks_for_login_code(text):  # asked again, and no failed login counted
            return Reply(messages=[say("utter_accesso_solo_password")])
        email = tracker.get_slot("accesso_email")
        account = accounts.login(bootstrap.unit_of_work(), email, text)
        reply = Reply(
            {"accesso_password": SKIPPED, ACCOUNT_SLOT: account},
            [say("utter_accesso_riuscito"), RENEWAL],
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
    def show(self, who: Customer) -> dict[str, Any]:
        """The message to show, as ``say`` builds it, for the customer (or their delegate)."""

    def after_login(self, account_id: int) -> Reply:
        return Reply(messages=[self.show(Customer(account_id, account_id))], done=True)

    def for_delegator(self, who: Customer) -> Reply:
        return Reply(messages=[self.show(who)], done=True)


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
        return [SlotSet(ACCOUNT_SLOT, None)] + [SlotSet(slot, None) for slot in NOT_ACTING]
