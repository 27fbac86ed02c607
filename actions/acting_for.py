"""Acting for someone (FAQ 13) in the chat: a logged-in delegate with active deleghe chooses
whom to act for («per conto di Mario Rossi», «le forniture di mio padre», a button per
person), and «torna a me» goes back to their own account. What may be done for that person
(``LoginSteps.delegated``) and the check on every action are in ``actions/session.py`` and
``backend/acting.py``.
"""

import re
import unicodedata
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import ACTING_FOR_SLOT
from actions.flow import Invalid, Reply, guarded, say
from actions.questions import AskAction
from actions.session import (
    ACTING_FOR_NAME_SLOT,
    LOGIN_SLOTS,
    NOT_ACTING,
    SKIPPED,
    LoginSteps,
    customer,
    logged_in,
)
from backend import acting, bootstrap
from backend.acting import Delegator

CHOICE = "per_conto_scelta"
MAX_BUTTONS = 10


def _words(text: str) -> set[str]:
    """Lower-case words without accents: «Niccolò» matches «niccolo»."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return set(re.findall(r"[a-z0-9]+", plain.encode("ascii", "ignore").decode()))


def named(text: str, found: list[Delegator]) -> Delegator | None:
    """The one delegator whose whole name, or surname alone, the text says."""
    words = _words(text)
    full = [d for d in found if _words(d.name) <= words]
    if len(full) == 1:
        return full[0]
    by_surname = [d for d in found if d.name.split()[-1].lower() in words]
    return by_surname[0] if len(by_surname) == 1 else None


def delegators(account_id: int) -> list[Delegator]:
    return acting.delegators(bootstrap.unit_of_work(), account_id)


def start(account_id: int, chosen: Delegator) -> Reply:
    name = acting.start_acting(bootstrap.unit_of_work(), account_id, chosen.account_id)
    slots = {ACTING_FOR_SLOT: chosen.account_id, ACTING_FOR_NAME_SLOT: name}
    return Reply(slots, [say("utter_per_conto_avviato", nome=name)], done=True)


class ValidateActingForForm(LoginSteps):
    """Whom to act for: said in the request, the only one, or chosen with the buttons."""

    form = "per_conto_form"

    def activate(self, tracker: Tracker) -> Reply:
        account_id = logged_in(tracker)
        if not account_id:
            return Reply(messages=[say("utter_accesso_necessario")])
        found = delegators(account_id)
        chosen = named(tracker.latest_message.get("text") or "", found)
        return self.choose(account_id, found, chosen)

    def after_login(self, account_id: int) -> Reply | None:
        return self.choose(account_id, delegators(account_id), None)

    @staticmethod
    def choose(account_id: int, found: list[Delegator], chosen: Delegator | None) -> Reply:
        if not found:
            return Reply(NOT_ACTING, [say("utter_per_conto_nessuna_delega")], done=True)
        if chosen is None and len(found) == 1:
            chosen = found[0]
        if chosen is not None:
            return start(account_id, chosen)
        return Reply(dict.fromkeys(LOGIN_SLOTS, SKIPPED))

    def step_per_conto_scelta(self, text: str, tracker: Tracker) -> Reply:
        account_id = logged_in(tracker)
        chosen = named(text, delegators(account_id))
        if chosen is None:
            raise Invalid("Scegli con i pulsanti la persona per cui vuoi operare.")
        return start(account_id, chosen)


class ActionAskActingChoice(AskAction):
    """The people who gave the delegate an active delega, a button each."""

    slot = CHOICE

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        found = delegators(logged_in(tracker))[:MAX_BUTTONS]
        buttons = [{"title": d.name, "payload": d.name} for d in found]
        buttons.append({"title": "Per me", "payload": "annulla"})
        return [say("utter_ask_per_conto_scelta", buttons=buttons)]


class ActionBackToMe(Action):
    """«torna a me»: stop acting for someone; the chat works for one's own account again."""

    def name(self) -> str:
        return "action_torna_a_me"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        who = customer(tracker)
        if who.delegate is None:
            dispatcher.utter_message(response="utter_per_conto_non_attivo")
            return []
        dispatcher.utter_message(response="utter_per_conto_concluso", nome=who.name)
        return [SlotSet(slot, None) for slot in NOT_ACTING]
