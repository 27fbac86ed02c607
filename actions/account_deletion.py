"""Deleting one's own account in the chat: log in, read what goes, confirm with the password."""

from typing import Any

from rasa_sdk import Tracker

from actions.contract import ACCOUNT_SLOT
from actions.flow import Reply, say
from actions.questions import AskAction
from actions.session import LoginSteps, logged_in
from backend import accounts, bootstrap, delegations, supplies
from backend.masking import mask_email

FORM = "cancellazione_form"
PASSWORD_SLOT = "cancellazione_password"


class ValidateDeletionForm(LoginSteps):
    form = FORM
    # The password is the confirmation: "annulla" must never reach the backend as one.
    free_text = frozenset({PASSWORD_SLOT})

    def step_cancellazione_password(self, text: str, tracker: Tracker) -> Reply:
        accounts.delete_account(bootstrap.unit_of_work(), logged_in(tracker), text)
        return Reply({ACCOUNT_SLOT: None}, [say("utter_cancellazione_completata")], done=True)


def deletion_summary(account_id: int) -> str:
    """What the backend deletes with the account, in the customer's own numbers, and what it
    leaves alone: deleting the portal profile ends no supply and no contract."""
    uow = bootstrap.unit_of_work()
    account = accounts.get_account(uow, account_id)
    pods = [supply.pod for supply in supplies.list_supplies(uow, account_id)]
    given = len(delegations.list_delegations(uow, account_id))
    lines = [
        "Attenzione: l'eliminazione del profilo è definitiva. Cancellerò dal portale:",
        f"• il tuo profilo, {mask_email(account.email)}: dati anagrafici, Codice Fiscale "
        "o Partita IVA, cellulare, username e password",
        "• i collegamenti del profilo alle tue forniture: "
        + (f"{len(pods)}, {', '.join(pods)}" if pods else "nessuno"),
        f"• le deleghe date e ricevute: {given or 'nessuna'}",
        "• i documenti caricati, le richieste di spostamento pratiche e le «Comunicazioni "
        "Ricevute»",
        "L'eliminazione riguarda solo il portale: le tue forniture di energia elettrica e i "
        "relativi contratti non cambiano, e le pratiche di connessione restano registrate "
        "presso di noi. Ti invierò un'e-mail di conferma.",
    ]
    return "\n".join(lines)


class ActionAskDeletionPassword(AskAction):
    """Names what will be deleted, then asks for the password as the confirmation."""

    slot = PASSWORD_SLOT

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        return [
            say(text=deletion_summary(logged_in(tracker))),
            say("utter_cancellazione_chiedi_password"),
        ]
