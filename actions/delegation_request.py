"""Giving a delega in the chat (``delega_form``): after the login steps, the clauses, the
delegate's e-mail, the identity document (uploaded through a channel, see
``backend.documents.store_upload``), the duration, then the request the delegate accepts.
"""

from typing import Any

from rasa_sdk import Tracker

from actions.answers import parse_duration, parse_email, parse_yes_no
from actions.flow import Correction, Reply, say
from actions.questions import AskAction, clauses_question, yes_or_no
from actions.session import LoginSteps, logged_in
from actions.uploads import attached_document
from backend import bootstrap, delegations, documents
from backend.settings import get_settings

# The delegate's name, as the backend found it from the e-mail: shown in the summary.
DELEGATE_NAME = "delega_nome_delegato"


class ValidateDelegationForm(LoginSteps):
    """Giving a delegation: clauses, delegate, identity document, duration, request."""

    form = "delega_form"
    private_slots = (DELEGATE_NAME,)
    corrections = {
        "delega_email": Correction("l'e-mail del delegato", lambda text, _: parse_email(text)),
        "delega_durata": Correction(
            "la durata",
            lambda text, _: delegations.validate_duration(parse_duration(text)),
        ),
    }

    def correct(self, slot: str, value: Any, tracker: Tracker) -> Reply:
        """A new delegate must be registered too: checked as at their own step."""
        reply = super().correct(slot, value, tracker)
        if slot == "delega_email":
            reply.slots.update(self._delegate(value, tracker))
        return reply

    def _delegate(self, email: str, tracker: Tracker) -> dict[str, Any]:
        name = delegations.check_delegate(bootstrap.unit_of_work(), logged_in(tracker), email)
        return {"delega_email": email.strip().lower(), DELEGATE_NAME: name}

    def step_delega_clausole(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_delega_clausole_rifiutate")], done=True)
        return Reply({"delega_clausole": True})

    def step_delega_email(self, text: str, tracker: Tracker) -> Reply:
        return Reply(self._delegate(parse_email(text), tracker))

    def step_delega_documento(self, text: str, tracker: Tracker) -> Reply:
        reference = attached_document(tracker, "la carta di identità")
        if reference is None:
            return Reply(messages=[say("utter_delega_documento_canale")], done=True)
        return Reply({"delega_documento": reference}, [say("utter_delega_documento_ricevuto")])

    def step_delega_durata(self, text: str, tracker: Tracker) -> Reply:
        return Reply({"delega_durata": delegations.validate_duration(parse_duration(text))})

    def step_delega_conferma(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_delega_non_inviata")], done=True)
        try:
            delegation_id = delegations.request_delegation(
                bootstrap.unit_of_work(),
                logged_in(tracker),
                tracker.get_slot("delega_email"),
                int(tracker.get_slot("delega_durata")),
                tracker.get_slot("delega_documento"),
            )
        except documents.UploadNotValid as error:  # ask for the document again
            return Reply({"delega_documento": None}, [say(text=error.message_it)])
        return Reply(
            messages=[
                say(
                    "utter_delega_inviata",
                    numero=delegation_id,
                    delegato=tracker.get_slot(DELEGATE_NAME),
                )
            ],
            done=True,
        )


class ActionAskDelegationClauses(AskAction):
    """The delega's legal clauses as a link, with accept and decline buttons."""

    slot = "delega_clausole"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        intro = "Per attivare la delega leggi le clausole legali del servizio"
        return [clauses_question(intro, get_settings().delegation_clauses_url)]


class ActionAskDelegationConfirmation(AskAction):
    """The summary of the request, to send or not."""

    slot = "delega_conferma"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        name, email = tracker.get_slot(DELEGATE_NAME), tracker.get_slot("delega_email")
        text = (
            "Riepilogo della delega:\n"
            f"• delegato: {name} ({email})\n"
            "• carta di identità: caricata\n"
            f"• durata: {tracker.get_slot('delega_durata')} giorni\n"
            "Invio la richiesta? Il delegato riceverà un'e-mail per accettarla."
        )
        return [say(text=text, buttons=yes_or_no("Sì, invia"))]
