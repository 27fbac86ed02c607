"""Delega in the chat: give a delegation, list mine, manage one, answer one given to me.

Two forms, both after the login steps:
- ``delega_form``: clauses, the delegate's e-mail, the identity document (uploaded through
  a channel, see ``backend.documents.store_upload``), the duration, then the request;
- ``gestione_deleghe_form``: the list of delegations given and received, one chosen, an
  operation allowed in its state (modify, suspend, reactivate, revoke; accept or decline
  for the delegate), a new duration when modifying, and a yes/no confirmation.
"""

import re
import unicodedata
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import parse_yes_no
from actions.flow import Invalid, Reply, say
from actions.session import ACCOUNT_SLOT, LoginSteps, logged_in
from actions.uploads import attached_document
from backend import bootstrap, delegations, documents
from backend.models import DELEGATION_STATUS_IT, Delegation, DelegationStatus
from backend.settings import get_settings

# What a channel puts in the message metadata: the upload's reference, and who it is.
DELEGATE_NAME = "delega_nome_delegato"
NOT_ASKED = "non richiesta"  # the new duration of an operation that is not a modification
MAX_BUTTONS = 10

_NUMBER_WORDS = {
    "un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
    "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12,
    "quindici": 15, "venti": 20, "trenta": 30, "sessanta": 60, "novanta": 90,
}  # fmt: skip
_UNIT_DAYS = {"gio": 1, "set": 7, "mes": 30, "ann": 365}  # by the unit's first letters
_DURATION = re.compile(r"\b(?:(\d{1,4}|[a-z]+)\s*)?(giorn[oi]|gg|settiman[ae]|mes[ei]|ann[oi])\b")
_HALF_YEAR = re.compile(r"\b(mezzo anno|semestre)\b")

# Operations: the word the step stores, how the buttons and confirmations say it.
MODIFY, SUSPEND, RESUME, REVOKE, ACCEPT, DECLINE = (
    "modifica", "sospendi", "riattiva", "revoca", "accetta", "rifiuta",
)  # fmt: skip
_OPERATION_WORDS = [
    (DECLINE, re.compile(r"\b(rifiut|declin|non accett)")),
    (ACCEPT, re.compile(r"\baccett")),
    (RESUME, re.compile(r"\b(riattiv|riprend|ripristin)")),
    (SUSPEND, re.compile(r"\b(sospend|sospens|blocc)")),
    (REVOKE, re.compile(r"\b(revoc|cancell|elimin|chiud)")),
    (MODIFY, re.compile(r"\b(modific|cambi|durata|prolung|allung|accorc)")),
]
_OPERATION_TITLES = {
    MODIFY: "Modifica la durata",
    SUSPEND: "Sospendi",
    RESUME: "Riattiva",
    REVOKE: "Revoca",
    ACCEPT: "Accetta",
    DECLINE: "Rifiuta",
}
_OPERATION_VERBS = {
    SUSPEND: "sospendere",
    RESUME: "riattivare",
    REVOKE: "revocare",
    ACCEPT: "accettare",
    DECLINE: "rifiutare",
}
# What the delegator may do in each state (the backend enforces the same moves).
_DELEGATOR_OPERATIONS = {
    DelegationStatus.DRAFT: [MODIFY, REVOKE],
    DelegationStatus.AWAITING_ACCEPTANCE: [MODIFY, REVOKE],
    DelegationStatus.ACTIVE: [MODIFY, SUSPEND, REVOKE],
    DelegationStatus.SUSPENDED: [MODIFY, RESUME, REVOKE],
}


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("’", "'").strip()


def parse_duration(text: str) -> int:
    """Days from "6 mesi", "un anno", "90 giorni", "due settimane" (a month counts 30 days)."""
    plain = _plain(text)
    if _HALF_YEAR.search(plain):
        return 180
    match = _DURATION.search(plain)
    amount = None
    if match:
        word = match.group(1)
        if word is None:  # "anno", "mese": one
            amount = 1
        elif word.isdigit():
            amount = int(word)
        else:
            amount = _NUMBER_WORDS.get(word)
    if match is None or amount is None:
        raise Invalid(
            "Indica la durata con il numero e l'unità, ad esempio «6 mesi», «90 giorni» "
            "o «un anno» (al massimo un anno)."
        )
    unit = match.group(2)
    return amount * (1 if unit == "gg" else _UNIT_DAYS[unit[:3]])


def _email_in(text: str) -> str:
    """The e-mail inside "il delegato è giulia@esempio.it"."""
    return next((word.strip(".,;:!?<>()") for word in text.split() if "@" in word), text)


def _date(moment) -> str:
    return moment.strftime("%d/%m/%Y")


class ValidateDelegationForm(LoginSteps):
    """Giving a delegation: clauses, delegate, identity document, duration, request."""

    form = "delega_form"
    private_slots = (DELEGATE_NAME,)

    def step_delega_clausole(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_delega_clausole_rifiutate")], done=True)
        return Reply({"delega_clausole": True})

    def step_delega_email(self, text: str, tracker: Tracker) -> Reply:
        email = _email_in(text)
        name = delegations.check_delegate(bootstrap.unit_of_work(), logged_in(tracker), email)
        return Reply({"delega_email": email.strip().lower(), DELEGATE_NAME: name})

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


class ActionAskDelegationClauses(Action):
    """The delega's legal clauses as a link, with accept and decline buttons."""

    def name(self) -> str:
        return "action_ask_delega_clausole"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text=(
                "Per attivare la delega leggi le clausole legali del servizio: "
                f"{get_settings().clauses_url}\nLe accetti?"
            ),
            buttons=[
                {"title": "Accetto", "payload": "accetto"},
                {"title": "Non accetto", "payload": "non accetto"},
            ],
        )
        return []


class ActionAskDelegationConfirmation(Action):
    """The summary of the request, to send or not."""

    def name(self) -> str:
        return "action_ask_delega_conferma"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        name, email = tracker.get_slot(DELEGATE_NAME), tracker.get_slot("delega_email")
        dispatcher.utter_message(
            text=(
                "Riepilogo della delega:\n"
                f"• delegato: {name} ({email})\n"
                "• carta di identità: caricata\n"
                f"• durata: {tracker.get_slot('delega_durata')} giorni\n"
                "Invio la richiesta? Il delegato riceverà una e-mail per accettarla."
            ),
            buttons=[
                {"title": "Sì, invia", "payload": "sì"},
                {"title": "No", "payload": "no"},
            ],
        )
        return []


# ---------------------------------------------------------------- my delegations


def _describe(delegation: Delegation, account_id: int, names: tuple[str, str]) -> str:
    """One line of the list: who, which way, how long, in which state."""
    status = DELEGATION_STATUS_IT[DelegationStatus(delegation.status)]
    if delegation.delegator_id == account_id:
        who = f"data a {names[1]}"
    else:
        who = f"ricevuta da {names[0]}"
    line = f"n. {delegation.id}, {who}, {delegation.duration_days} giorni: {status}"
    if delegation.status == DelegationStatus.ACTIVE and delegation.expires_at:
        line += f" fino al {_date(delegation.expires_at)}"
    return line


def _detail(delegation: Delegation, names: tuple[str, str]) -> str:
    status = DELEGATION_STATUS_IT[DelegationStatus(delegation.status)]
    lines = [
        f"Delega n. {delegation.id}",
        f"• delegante: {names[0]}",
        f"• delegato: {names[1]}",
        f"• stato: {status}",
        f"• durata: {delegation.duration_days} giorni",
    ]
    if delegation.activated_at:
        lines.append(f"• attivata il {_date(delegation.activated_at)}")
    if delegation.expires_at:
        lines.append(f"• scadenza: {_date(delegation.expires_at)}")
    return "\n".join(lines)


def operations(delegation: Delegation, account_id: int) -> list[str]:
    """What the account may do now on the delegation."""
    status = DelegationStatus(delegation.status)
    if delegation.delegator_id == account_id:
        return list(_DELEGATOR_OPERATIONS.get(status, []))
    if status == DelegationStatus.AWAITING_ACCEPTANCE:
        return [ACCEPT, DECLINE]
    return []


def _chosen(tracker: Tracker) -> Delegation:
    return delegations.delegation_for(
        bootstrap.unit_of_work(), logged_in(tracker), int(tracker.get_slot("delega_scelta"))
    )


def _names(delegation: Delegation) -> tuple[str, str]:
    return delegations.party_names(bootstrap.unit_of_work(), delegation)


class ValidateMyDelegationsForm(LoginSteps):
    """The list of my delegations, then one of them and what to do with it."""

    form = "gestione_deleghe_form"

    def activate(self, tracker: Tracker) -> Reply:
        reply = super().activate(tracker)
        if logged_in(tracker) and not self._any(logged_in(tracker)):
            return self._none()
        return reply

    def step_accesso_password(self, text: str, tracker: Tracker) -> Reply:
        reply = super().step_accesso_password(text, tracker)
        account_id = reply.slots[ACCOUNT_SLOT]
        if not self._any(account_id):  # logged in now, with nothing to show
            return Reply({ACCOUNT_SLOT: account_id}, reply.messages + self._none().messages, True)
        return reply

    @staticmethod
    def _any(account_id: int) -> bool:
        return bool(delegations.list_delegations(bootstrap.unit_of_work(), account_id))

    @staticmethod
    def _none() -> Reply:
        return Reply(messages=[say("utter_nessuna_delega")], done=True)

    def step_delega_scelta(self, text: str, tracker: Tracker) -> Reply:
        number = re.search(r"\d+", text)
        if number is None:
            raise Invalid("Scegli una delega con i pulsanti, oppure scrivi il suo numero.")
        account_id = logged_in(tracker)
        delegation = delegations.delegation_for(
            bootstrap.unit_of_work(), account_id, int(number.group())
        )
        detail = say(text=_detail(delegation, _names(delegation)))
        if not operations(delegation, account_id):
            return Reply(messages=[detail, say("utter_delega_nessuna_operazione")], done=True)
        return Reply({"delega_scelta": delegation.id}, [detail])

    def step_delega_operazione(self, text: str, tracker: Tracker) -> Reply:
        allowed = operations(_chosen(tracker), logged_in(tracker))
        plain = _plain(text)
        chosen = next((op for op, words in _OPERATION_WORDS if words.search(plain)), None)
        if chosen not in allowed:
            titles = ", ".join(f"«{_OPERATION_TITLES[op]}»" for op in allowed)
            raise Invalid(f"Su questa delega puoi scegliere: {titles}.")
        slots = {"delega_operazione": chosen}
        if chosen != MODIFY:
            slots["delega_nuova_durata"] = NOT_ASKED
        return Reply(slots)

    def step_delega_nuova_durata(self, text: str, tracker: Tracker) -> Reply:
        days = delegations.validate_duration(parse_duration(text))
        return Reply({"delega_nuova_durata": days})

    def step_delega_conferma_operazione(self, text: str, tracker: Tracker) -> Reply:
        if not parse_yes_no(text):
            return Reply(messages=[say("utter_delega_operazione_annullata")], done=True)
        uow, account_id = bootstrap.unit_of_work(), logged_in(tracker)
        delegation_id = int(tracker.get_slot("delega_scelta"))
        operation = tracker.get_slot("delega_operazione")
        if operation == MODIFY:
            days = int(tracker.get_slot("delega_nuova_durata"))
            delegations.modify_delegation(uow, account_id, delegation_id, days)
        elif operation in (ACCEPT, DECLINE):
            delegations.respond_logged_in(uow, account_id, delegation_id, operation == ACCEPT)
        else:
            change = {
                SUSPEND: delegations.suspend_delegation,
                RESUME: delegations.resume_delegation,
                REVOKE: delegations.revoke_delegation,
            }[operation]
            change(uow, account_id, delegation_id)
        delegation = _chosen(tracker)
        status = DELEGATION_STATUS_IT[DelegationStatus(delegation.status)]
        text = f"Fatto: la delega n. {delegation.id} ora è {status}"
        if operation == MODIFY:
            text += f", con una durata di {delegation.duration_days} giorni"
        if delegation.status == DelegationStatus.ACTIVE and delegation.expires_at:
            text += f" fino al {_date(delegation.expires_at)}"
        notice = (
            " Il delegante riceverà una e-mail di conferma."
            if operation in (ACCEPT, DECLINE)
            else " Ti ho inviato una e-mail di conferma."
        )
        return Reply(messages=[say(text=text + "." + notice)], done=True)


class ActionAskDelegationChoice(Action):
    """The list of my delegations, given and received, with a button for each."""

    def name(self) -> str:
        return "action_ask_delega_scelta"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        account_id = logged_in(tracker)
        found = delegations.list_delegations(bootstrap.unit_of_work(), account_id)
        lines = [f"• {_describe(d, account_id, _names(d))}" for d in found]
        dispatcher.utter_message(
            text="Le tue deleghe:\n" + "\n".join(lines) + "\nQuale vuoi vedere nel dettaglio?",
            buttons=[
                {"title": f"Delega n. {d.id}", "payload": f"delega {d.id}"}
                for d in found[-MAX_BUTTONS:]
            ],
        )
        return []


class ActionAskDelegationOperation(Action):
    """The operations allowed on the chosen delegation, as buttons."""

    def name(self) -> str:
        return "action_ask_delega_operazione"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        allowed = operations(_chosen(tracker), logged_in(tracker))
        dispatcher.utter_message(
            text="Cosa vuoi fare con questa delega?",
            buttons=[{"title": _OPERATION_TITLES[op], "payload": op} for op in allowed]
            + [{"title": "Niente", "payload": "annulla"}],
        )
        return []


class ActionAskOperationConfirmation(Action):
    """Yes or no before changing anything."""

    def name(self) -> str:
        return "action_ask_delega_conferma_operazione"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        number = tracker.get_slot("delega_scelta")
        operation = tracker.get_slot("delega_operazione")
        if operation == MODIFY:
            days = tracker.get_slot("delega_nuova_durata")
            question = f"Confermi di portare a {days} giorni la durata della delega n. {number}?"
        else:
            question = f"Confermi di voler {_OPERATION_VERBS[operation]} la delega n. {number}?"
        dispatcher.utter_message(
            text=question,
            buttons=[{"title": "Sì", "payload": "sì"}, {"title": "No", "payload": "no"}],
        )
        return []
