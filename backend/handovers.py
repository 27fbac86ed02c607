"""The operators' hand-over queue: callback requests and practice transfers as one list.

An operator takes a ticket in charge ("presa in carico"), writes internal notes and closes
it with a message for the customer, delivered through the outbox.
"""

from dataclasses import dataclass
from datetime import datetime

from backend import audit, practices, sms_budget
from backend.entities import (
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
    HandoverNote,
    PracticeTransfer,
    StaffUser,
    TransferStatus,
)
from backend.errors import InvalidInput, NotAllowed, NotFound
from backend.validators import validate_mobile

KINDS = ("richiamata", "pratica")
CALLBACK, TRANSFER = KINDS
MAX_TEXT = 2000

# The outcomes an operator can choose when closing, with their labels.
OUTCOMES = {
    CALLBACK: {
        CallbackOutcome.DONE: "contattato",
        CallbackOutcome.UNREACHABLE: "non raggiungibile",
    },
    TRANSFER: {TransferStatus.APPROVED: "approvata", TransferStatus.REJECTED: "respinta"},
}
STATUS_IT = {
    "open": "da prendere in carico",
    "in_progress": "presa in carico",
    "closed": "chiusa",
    CallbackOutcome.DONE: "cliente contattato",
    CallbackOutcome.UNREACHABLE: "cliente non raggiungibile",
    TransferStatus.APPROVED: "spostamento approvato",
    TransferStatus.REJECTED: "spostamento respinto",
}
# Completes "la tua richiesta di ricontatto n. N ..." in the customer's message.
_CALLBACK_OUTCOME_IT = {
    CallbackOutcome.DONE: "è stata gestita ed è ora chiusa.",
    CallbackOutcome.UNREACHABLE: (
        "è stata chiusa perché non siamo riusciti a raggiungerti al telefono. Se hai ancora "
        "bisogno di aiuto, apri una nuova richiesta dall'Help OnLine o chiama il numero verde "
        "803.500."
    ),
}
_REPOSITORY = {CALLBACK: "callbacks", TRANSFER: "transfers"}
_OPEN_STATUS = {CALLBACK: CallbackStatus.OPEN, TRANSFER: TransferStatus.PENDING}
_NOTE_KEY = {CALLBACK: "callback_id", TRANSFER: "transfer_id"}


@dataclass(frozen=True)
class Note:
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Ticket:
    kind: str
    id: int
    status: str
    status_it: str
    created_at: datetime
    customer: str
    # In full: staff must be able to call or write.
    contact: str
    summary: str
    assigned_to: str | None
    sender_id: str | None
    notes: list[Note]
    closed: bool


def queue(uow, only_open: bool = True, assigned_to: int | None = None) -> list[Ticket]:
    """Both kinds of ticket, oldest first; optionally only those of one operator."""
    with uow:
        tickets = []
        for kind in KINDS:
            filters = {"status": _OPEN_STATUS[kind]} if only_open else {}
            if assigned_to is not None:
                filters["assigned_to"] = assigned_to
            rows = getattr(uow, _REPOSITORY[kind]).find(**filters)
            tickets += [_ticket(uow, kind, row) for row in rows]
        return sorted(tickets, key=lambda t: (t.created_at, t.kind, t.id))


def get_ticket(uow, kind: str, ticket_id: int) -> Ticket:
    with uow:
        return _ticket(uow, kind, _row(uow, kind, ticket_id))


def assign(uow, kind: str, ticket_id: int, staff_id: int) -> None:
    """Take the ticket in charge ("presa in carico"), also from another operator."""
    with uow:
        row = _row(uow, kind, ticket_id, for_update=True)
        _require_open(kind, row)
        _staff(uow, staff_id)
        row.assigned_to = staff_id
        audit.record(
            uow, "handover_assigned", row.account_id, kind=kind, ticket_id=row.id, staff_id=staff_id
        )
        uow.commit()


def add_note(uow, kind: str, ticket_id: int, staff_id: int, text: str) -> None:
    """An internal note, never shown to the customer; closed tickets take notes too."""
    text = _required_text(text, "La nota deve avere da 1 a 2000 caratteri.")
    with uow:
        row = _row(uow, kind, ticket_id)
        _staff(uow, staff_id)
        note = uow.handover_notes.add(
            HandoverNote(
                staff_id=staff_id, text=text, created_at=uow.now(), **{_NOTE_KEY[kind]: row.id}
            )
        )
        audit.record(
            uow,
            "handover_note_added",
            row.account_id,
            kind=kind,
            ticket_id=row.id,
            staff_id=staff_id,
            note_id=note.id,
        )
        uow.commit()


def close(uow, kind: str, ticket_id: int, staff_id: int, outcome: str, message: str) -> None:
    """Close with an outcome from ``OUTCOMES[kind]``; ``message`` goes to the customer."""
    if kind not in KINDS:
        raise NotFound("Richiesta non trovata.")
    if outcome not in OUTCOMES[kind]:
        raise InvalidInput("Scegli uno degli esiti previsti per questa richiesta.")
    message = _required_text(
        message, "Scrivi il messaggio per il cliente (al massimo 2000 caratteri)."
    )
    if kind == TRANSFER:
        # Moves the practices, e-mails the outcome and files it in "Comunicazioni ricevute".
        approve = outcome == TransferStatus.APPROVED
        practices.decide_transfer(uow, ticket_id, approve, message, staff_id=staff_id)
    else:
        _close_callback(uow, ticket_id, staff_id, outcome, message)


def _close_callback(uow, ticket_id: int, staff_id: int, outcome: str, message: str) -> None:
    with uow:
        row = _row(uow, CALLBACK, ticket_id, for_update=True)
        _require_open(CALLBACK, row)
        _staff(uow, staff_id)
        row.status = CallbackStatus.CLOSED
        row.outcome = outcome
        row.closed_at = uow.now()
        _notify_callback_closed(uow, row, message, staff_id)
        audit.record(
            uow,
            "handover_closed",
            row.account_id,
            kind=CALLBACK,
            ticket_id=row.id,
            staff_id=staff_id,
            outcome=outcome,
        )
        uow.commit()


def _notify_callback_closed(uow, row: CallbackRequest, message: str, staff_id: int) -> None:
    values = {"ticket": row.id, "outcome": _CALLBACK_OUTCOME_IT[row.outcome], "message": message}
    account = uow.accounts.get(row.account_id) if row.account_id is not None else None
    if account is not None:
        practices.post_communication(uow, account, "email_callback_closed", **values)
    elif _is_mobile(row.phone):
        sms_budget.send_staff_sms(
            uow,
            row.phone,
            "sms_callback_closed",
            staff_id=staff_id,
            flow="callback_closed",
            **values,
        )
    # An anonymous caller on a landline has no written channel: the call was the answer.


def _is_mobile(phone: str) -> bool:
    try:
        validate_mobile(phone)
    except InvalidInput:
        return False
    return True


def _required_text(text: str, error: str) -> str:
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidInput(error)
    return text


def _row(uow, kind: str, ticket_id: int, for_update: bool = False):
    row = None
    if kind in KINDS:
        row = getattr(uow, _REPOSITORY[kind]).get(ticket_id, for_update=for_update)
    if row is None:
        raise NotFound("Richiesta non trovata.")
    return row


def _is_open(kind: str, row) -> bool:
    return row.status == _OPEN_STATUS[kind]


def _require_open(kind: str, row) -> None:
    if not _is_open(kind, row):
        raise NotAllowed("La richiesta è già chiusa.")


def _staff(uow, staff_id: int) -> StaffUser:
    user = uow.staff.get(staff_id)
    if user is None:
        raise NotFound("Operatore non trovato.")
    return user


def _username(uow, staff_id: int | None) -> str | None:
    return None if staff_id is None else uow.staff.get(staff_id).username


def _status(kind: str, row) -> str:
    if _is_open(kind, row):
        return "open" if row.assigned_to is None else "in_progress"
    if kind == CALLBACK:
        return row.outcome or "closed"  # closed before outcomes were recorded
    return row.status


def _ticket(uow, kind: str, row) -> Ticket:
    if kind == CALLBACK:
        customer, contact, summary = _callback_details(row)
    else:
        customer, contact, summary = _transfer_details(uow, row)
    notes = [
        Note(_username(uow, note.staff_id), note.text, note.created_at)
        for note in uow.handover_notes.find(**{_NOTE_KEY[kind]: row.id})
    ]
    status = _status(kind, row)
    return Ticket(
        kind=kind,
        id=row.id,
        status=status,
        status_it=STATUS_IT[status],
        created_at=row.created_at,
        customer=customer,
        contact=contact,
        summary=summary,
        assigned_to=_username(uow, row.assigned_to),
        sender_id=row.sender_id,
        notes=notes,
        closed=not _is_open(kind, row),
    )


def _callback_details(row: CallbackRequest) -> tuple[str, str, str]:
    return row.name, row.phone, f"{row.topic} (orario preferito: {row.preferred_time})"


def _transfer_details(uow, row: PracticeTransfer) -> tuple[str, str, str]:
    account = uow.accounts.get(row.account_id)
    numbers = ", ".join(practices.practice_numbers(uow, row))
    return account.display_name, account.email, f"Spostamento delle pratiche {numbers}"
