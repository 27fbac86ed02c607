"""Managing delegations in the chat (``gestione_deleghe_form``, «le mie deleghe»): after the
login steps, the list of the delegations given and received, one chosen with its detail, an
operation its state allows (modify, suspend, reactivate, revoke; accept or decline for the
delegate), a new duration when modifying, and a yes/no confirmation.
"""

import re
from typing import Any

from rasa_sdk import Tracker

from actions.answers import parse_duration, parse_yes_no, plain_text
from actions.flow import Invalid, Reply, say
from actions.questions import AskAction, yes_or_no
from actions.session import LoginSteps, logged_in
from backend import bootstrap, delegations
from backend.entities import DELEGATION_STATUS_IT, Delegation, DelegationStatus

NOT_ASKED = "non richiesta"  # the new duration of an operation that is not a modification
MAX_BUTTONS = 10

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


def _date(moment) -> str:
    return moment.strftime("%d/%m/%Y")


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

    def after_login(self, account_id: int) -> Reply | None:
        if delegations.list_delegations(bootstrap.unit_of_work(), account_id):
            return None
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
        plain = plain_text(text)
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
            " Il delegante riceverà un'e-mail di conferma."
            if operation in (ACCEPT, DECLINE)
            else " Ti ho inviato un'e-mail di conferma."
        )
        return Reply(messages=[say(text=text + "." + notice)], done=True)


class ActionAskDelegationChoice(AskAction):
    """The list of my delegations, given and received, with a button for each."""

    slot = "delega_scelta"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        account_id = logged_in(tracker)
        found = delegations.list_delegations(bootstrap.unit_of_work(), account_id)
        lines = [f"• {_describe(d, account_id, _names(d))}" for d in found]
        text = "Le tue deleghe:\n" + "\n".join(lines) + "\nQuale vuoi vedere nel dettaglio?"
        buttons = [
            {"title": f"Delega n. {d.id}", "payload": f"delega {d.id}"}
            for d in found[-MAX_BUTTONS:]
        ]
        return [say(text=text, buttons=buttons)]


class ActionAskDelegationOperation(AskAction):
    """The operations allowed on the chosen delegation, as buttons."""

    slot = "delega_operazione"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        allowed = operations(_chosen(tracker), logged_in(tracker))
        buttons = [{"title": _OPERATION_TITLES[op], "payload": op} for op in allowed]
        nothing = {"title": "Niente", "payload": "annulla"}
        return [say(text="Cosa vuoi fare con questa delega?", buttons=[*buttons, nothing])]


class ActionAskOperationConfirmation(AskAction):
    """Yes or no before changing anything."""

    slot = "delega_conferma_operazione"

    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        number = tracker.get_slot("delega_scelta")
        operation = tracker.get_slot("delega_operazione")
        if operation == MODIFY:
            days = tracker.get_slot("delega_nuova_durata")
            question = f"Confermi di portare a {days} giorni la durata della delega n. {number}?"
        else:
            question = f"Confermi di voler {_OPERATION_VERBS[operation]} la delega n. {number}?"
        return [say(text=question, buttons=yes_or_no())]
