"""Connection practices and their transfer to a new legal representative or attorney.

The transfer request is queued for operators; the outcome is posted to the account's
"Comunicazioni ricevute" inbox and e-mailed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from backend import acting, audit, documents, outbox
from backend.entities import Account, Communication, Practice, PracticeTransfer, TransferStatus
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.validators import classify_fiscal_id


@dataclass(frozen=True)
class Requester:
    name: str
    fiscal_code: str


def transferable_practices(uow, account_id: int) -> dict[Requester, list[Practice]]:
    """Practices of the company this account represents that other accounts still hold."""
    with uow:
        account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("Utenza non trovata.")
        grouped: dict[Requester, list[Practice]] = {}
        for practice in uow.practices.find(requester_fiscal_code=account.fiscal_code):
            if practice.account_id != account_id:
                key = Requester(practice.requester_name, practice.requester_fiscal_code)
                grouped.setdefault(key, []).append(practice)
        return grouped


def request_transfer(
    uow,
    account_id: int,
    requester_fiscal_id: str,
    practice_numbers: list[str],
    document_references: Sequence[str],
    sender_id: str | None = None,
) -> int:
    """ "Cambio Legale rappresentante/Procuratore": queue the move of the chosen practices.

    The filled-in documents are uploaded through a channel; their references
    (``documents.store_upload``) are claimed for the request. ``sender_id`` is the
    conversation's, so staff can read what led to the request.
    """
    _, requester = classify_fiscal_id(requester_fiscal_id)
    if not practice_numbers:
        raise InvalidInput("Seleziona almeno una pratica da trasferire.")
    references = [r.strip() for r in document_references if r and r.strip()]
    if not references:
        raise InvalidInput("Carica i documenti richiesti, compilati, prima dell'inoltro.")
    with uow:
        account = uow.accounts.get(account_id)
        if account is None or account.fiscal_code != requester:
            raise NotAllowed(
                "Puoi chiedere lo spostamento solo delle pratiche della società del tuo account."
            )
        practices = [uow.practices.first(number=n.strip().upper()) for n in practice_numbers]
        if any(p is None or p.requester_fiscal_code != requester for p in practices):
            raise InvalidInput("Una o più pratiche selezionate non appartengono al richiedente.")
        _refuse_pending_duplicates(uow, account_id, practices)
        transfer = uow.transfers.add(
            PracticeTransfer(
                account_id=account_id,
                requester_fiscal_code=requester,
                practice_ids=sorted(p.id for p in practices),
                status=TransferStatus.PENDING,
                created_at=uow.now(),
                sender_id=sender_id,
            )
        )
        for reference in references:
            documents.claim_upload(uow, reference, account_id, transfer_id=transfer.id)
        audit.record(
            uow,
            "practice_transfer_requested",
            account_id,
            transfer_id=transfer.id,
            documents=len(references),
        )
        uow.commit()
        return transfer.id


def _refuse_pending_duplicates(uow, account_id: int, chosen: list[Practice]) -> None:
    """A practice already waiting to move to this account is not requested twice."""
    waiting = {
        practice_id
        for transfer in uow.transfers.find(account_id=account_id, status=TransferStatus.PENDING)
        for practice_id in transfer.practice_ids
    }
    already = sorted(p.number for p in chosen if p.id in waiting)
    if already:
        raise Conflict(
            "Hai già una richiesta di spostamento in attesa per: " + ", ".join(already) + "."
        )


def decide_transfer(
    uow, transfer_id: int, approve: bool, note: str = "", staff_id: int | None = None
) -> None:
    """An operator's outcome: on approval the practices move to the requesting account."""
    with uow:
        transfer = uow.transfers.get(transfer_id, for_update=True)
        if transfer is None:
            raise NotFound("Richiesta di spostamento non trovata.")
        if transfer.status != TransferStatus.PENDING:
            raise NotAllowed("La richiesta è già stata lavorata.")
        transfer.status = TransferStatus.APPROVED if approve else TransferStatus.REJECTED
        transfer.outcome_note = note
        transfer.decided_at = uow.now()
        numbers = []
        for practice_id in transfer.practice_ids:
            practice = uow.practices.get(practice_id)
            numbers.append(practice.number)
            if approve:
                practice.account_id = transfer.account_id
        _post_outcome(uow, transfer, numbers)
        audit.record(
            uow,
            f"practice_transfer_{transfer.status}",
            transfer.account_id,
            transfer_id=transfer.id,
            staff_id=staff_id,
        )
        uow.commit()


def _post_outcome(uow, transfer: PracticeTransfer, numbers: list[str]) -> None:
    account = uow.accounts.get(transfer.account_id)
    template = (
        "email_transfer_approved"
        if transfer.status == TransferStatus.APPROVED
        else "email_transfer_rejected"
    )
    post_communication(
        uow,
        account,
        template,
        practices=", ".join(numbers),
        note=transfer.outcome_note or "-",
    )


def post_communication(uow, account: Account, template: str, **values) -> None:
    """E-mail the account and file the same text in its "Comunicazioni ricevute"."""
    message = outbox.send_email(uow, account.email, template, name=account.display_name, **values)
    uow.communications.add(
        Communication(
            account_id=account.id, subject=message.subject, body=message.body, created_at=uow.now()
        )
    )


TRANSFER_STATUS_IT = {
    TransferStatus.PENDING: "in lavorazione presso i nostri operatori",
    TransferStatus.APPROVED: "completata: le pratiche sono sul tuo account",
    TransferStatus.REJECTED: "respinta",
}


@dataclass(frozen=True)
class TransferView:
    id: int
    status: str
    status_it: str
    practice_numbers: list[str]
    created_at: datetime
    decided_at: datetime | None
    outcome_note: str


def practice_numbers(uow, transfer: PracticeTransfer) -> list[str]:
    """The numbers of the practices a transfer moves (those still on record)."""
    return [
        practice.number
        for practice in (uow.practices.get(i) for i in transfer.practice_ids)
        if practice is not None
    ]


def _transfer_views(uow, account_id: int) -> list[TransferView]:
    """The account's transfer requests, oldest first, with their state in Italian."""
    views = []
    for transfer in sorted(uow.transfers.find(account_id=account_id), key=lambda t: t.id):
        views.append(
            TransferView(
                transfer.id,
                transfer.status,
                TRANSFER_STATUS_IT[TransferStatus(transfer.status)],
                practice_numbers(uow, transfer),
                transfer.created_at,
                transfer.decided_at,
                transfer.outcome_note or "",
            )
        )
    return views


def practice_status(
    uow, account_id: int, actor_id: int | None = None
) -> tuple[list[TransferView], list[Communication]]:
    """«A che punto è la mia richiesta?»: the transfer requests and the «Comunicazioni
    Ricevute», oldest first; an ``actor_id`` other than the account's is a delegate acting
    for it (``backend.acting``)."""
    with uow:
        acting.authorise(uow, actor_id, account_id, "practice_status_viewed")
        views = _transfer_views(uow, account_id)
        inbox = uow.communications.find(account_id=account_id)
        uow.commit()  # the audit row of a delegate's look
        return views, inbox
