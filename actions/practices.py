"""A new legal representative moves the company's practices to their account, in the chat;
later they ask how the request is going and read the «Comunicazioni Ricevute».

The FAQ speaks of the required documents: the customer attaches them one at a time and
says when they are done («fatto»).
"""

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answers import parse_yes_no
from actions.flow import Invalid, Reply, say
from actions.questions import AskAction, yes_or_no
from actions.session import Customer, LoginSteps, LoginThenShow, logged_in
from actions.uploads import attached_document, document_reference
from backend import bootstrap, practices
from backend.entities import Practice

FORM = "cambio_rappresentante_form"
REQUESTER = "cambio_rappresentante_richiedente"
CHOSEN = "cambio_rappresentante_pratiche"
DOCUMENT = "cambio_rappresentante_documento"  # the references, once the customer is done
ATTACHED = "cambio_rappresentante_allegati"  # the references attached so far
CONFIRM = "cambio_rappresentante_conferma"
_DONE = re.compile(r"\b(fatto|finito|basta|tutto|nient'altro|null'altro)\b", re.IGNORECASE)
_ALL = re.compile(r"\b(tutte|tutti|tutto|entrambe|entrambi)\b", re.IGNORECASE)
_NUMBER = re.compile(r"\bPC-\d{4}-[0-9A-F]{8}\b", re.IGNORECASE)
_INDEX = re.compile(r"(?<![\w-])\d{1,3}(?![\w-])")


def transferable(account_id: int) -> dict[practices.Requester, list[Practice]]:
    return practices.transferable_practices(bootstrap.unit_of_work(), account_id)


def practices_of(tracker: Tracker) -> list[Practice]:
    """The chosen requester's practices, in the order they are shown."""
    for requester, found in transferable(logged_in(tracker)).items():
        if requester.fiscal_code == tracker.get_slot(REQUESTER):
            return sorted(found, key=lambda p: p.id)
    return []


class ValidateTransferForm(LoginSteps):
    form = FORM
    private_slots = (ATTACHED,)

    def after_login(self, account_id: int) -> Reply | None:
        if transferable(account_id):
            return None
        return Reply(messages=[say("utter_cambio_rappresentante_nessuna_pratica")], done=True)

    def step_cambio_rappresentante_richiedente(self, text: str, tracker: Tracker) -> Reply:
        plain = re.sub(r"\s", "", text).upper()
        for requester in transferable(logged_in(tracker)):
            if requester.fiscal_code in plain or requester.name.lower() in text.lower():
                return Reply({REQUESTER: requester.fiscal_code, ATTACHED: []})
        raise Invalid("Scegli il richiedente delle pratiche con i pulsanti.")

    def step_cambio_rappresentante_pratiche(self, text: str, tracker: Tracker) -> Reply:
        found = practices_of(tracker)
        if _ALL.search(text):
            return Reply({CHOSEN: [p.number for p in found]})
        by_number = {p.number: p for p in found}
        chosen = [n.upper() for n in _NUMBER.findall(text) if n.upper() in by_number]
        indexes = [int(i) for i in _INDEX.findall(_NUMBER.sub("", text))]
        if any(not 1 <= i <= len(found) for i in indexes) or not (chosen or indexes):
            raise Invalid(
                f"Scrivi «tutte» oppure i numeri delle pratiche da spostare, da 1 a {len(found)}, "
                "ad esempio «1 e 3»."
            )
        chosen += [found[i - 1].number for i in indexes]
        return Reply({CHOSEN: list(dict.fromkeys(chosen))})

    def step_cambio_rappresentante_documento(self, text: str, tracker: Tracker) -> Reply:
        """One document more, or «fatto» once at least one arrived."""
        attached = list(tracker.get_slot(ATTACHED) or [])
        if attached and _DONE.search(text) and document_reference(tracker) is None:
            return Reply({DOCUMENT: attached})
        reference = attached_document(tracker, "i documenti compilati")
        if reference is None:
            raise Invalid(
                "Non ho ricevuto nessun documento: allega i documenti compilati dalla chat "
                "del portale o da Telegram, qui non posso ricevere file."
            )
        attached = list(dict.fromkeys([*attached, reference]))
        received = f"Documento ricevuto: finora ne hai allegati {len(attached)}."
        return Reply({ATTACHED: attached}, [say(text=received)])

    def step_cambio_rappresentante_conferma(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_cambio_rappresentante_non_inviata")], done=True)
        transfer_id = practices.request_transfer(
            bootstrap.unit_of_work(),
            logged_in(tracker),
            tracker.get_slot(REQUESTER),
            tracker.get_slot(CHOSEN),
            document_references=tracker.get_slot(DOCUMENT) or [],
            sender_id=tracker.sender_id,
        )
        return Reply(
            messages=[say("utter_cambio_rappresentante_inviata", numero=transfer_id)], done=True
        )


class ActionAskRequester(AskAction):
    """The companies whose practices can move to this account, as buttons."""

    slot = REQUESTER

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        buttons = [
            {"title": f"{r.name} – {r.fiscal_code}", "payload": r.fiscal_code}
            for r in transferable(logged_in(tracker))
        ]
        return [say("utter_ask_cambio_rappresentante_richiedente", buttons=buttons)]


class ActionAskPractices(AskAction):
    """The requester's practices, numbered, to choose all or some."""

    slot = CHOSEN

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        lines = [
            f"{i}. {p.number}" + (f" – {p.description}" if p.description else "")
            for i, p in enumerate(practices_of(tracker), 1)
        ]
        text = (
            "Queste sono le pratiche del richiedente:\n"
            + "\n".join(lines)
            + "\nQuali vuoi spostare sul tuo account? Scrivi «tutte» oppure i numeri, "
            "ad esempio «1 e 3»."
        )
        return [say(text=text, buttons=[{"title": "Tutte", "payload": "tutte"}])]


class ActionAskTransferDocuments(AskAction):
    """The documents to attach; once one arrived, the next one or «fatto»."""

    slot = DOCUMENT

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        if not tracker.get_slot(ATTACHED):
            return [say("utter_ask_cambio_rappresentante_documento")]
        return [say("utter_ask_cambio_rappresentante_altro_documento")]


class ActionAskTransferConfirmation(AskAction):
    """The summary of the request, to confirm before it goes to the operators."""

    slot = CONFIRM

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        chosen = tracker.get_slot(CHOSEN) or []
        documents = len(tracker.get_slot(DOCUMENT) or [])
        attached = "il documento" if documents == 1 else f"i {documents} documenti"
        text = (
            "Riepilogo: chiedo lo spostamento sul tuo account delle pratiche "
            f"{', '.join(chosen)} del richiedente {tracker.get_slot(REQUESTER)}, con "
            f"{attached} che hai caricato. Inoltro la richiesta ai nostri operatori?"
        )
        return [say(text=text, buttons=yes_or_no("Sì, inoltra"))]


class ValidatePracticeStatusForm(LoginThenShow):
    """ "A che punto è la mia richiesta?": only the login, then the transfer requests and the
    "Comunicazioni ricevute", newest news last."""

    form = "stato_pratiche_form"
    delegated = True

    def show(self, who: Customer) -> dict:
        transfers, inbox = practices.practice_status(bootstrap.unit_of_work(), who.id, who.delegate)
        if not transfers and not inbox and who.delegate:
            return say(
                text=f"Per conto di {who.name}: nessuna richiesta né comunicazione ricevuta."
            )
        if not transfers and not inbox:
            return say("utter_stato_pratiche_nessuna")
        lines = [f"Per conto di {who.name}:"] if who.delegate else []
        their = "sue" if who.delegate else "tue"
        if transfers:
            lines.append(f"Le {their} richieste di spostamento pratiche:")
        for transfer in transfers:
            lines.append(
                f"• n. {transfer.id} del {transfer.created_at:%d/%m/%Y} "
                f"({', '.join(transfer.practice_numbers)}): {transfer.status_it}"
                + (f" – {transfer.outcome_note}" if transfer.outcome_note else "")
            )
        lines.append(
            f"Le {their} «Comunicazioni Ricevute»:"
            if inbox
            else "Non ci sono comunicazioni ricevute."
        )
        lines += [f"• {m.created_at:%d/%m/%Y} – {m.subject}: {m.body}" for m in inbox]
        return say(text="\n".join(lines))
