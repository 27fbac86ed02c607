"""Delegations (deleghe), their states, and the documents uploaded for them."""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base
from backend.errors import NotAllowed


class DelegationStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


DELEGATION_STATUS_IT = {
    DelegationStatus.DRAFT: "in bozza",
    DelegationStatus.AWAITING_ACCEPTANCE: "in attesa di accettazione",
    DelegationStatus.ACTIVE: "attiva",
    DelegationStatus.SUSPENDED: "sospesa",
    DelegationStatus.REVOKED: "revocata",
    DelegationStatus.EXPIRED: "scaduta",
}

# Allowed transitions; expiry is handled by date, not by a user action.
_DELEGATION_MOVES = {
    DelegationStatus.DRAFT: {DelegationStatus.AWAITING_ACCEPTANCE, DelegationStatus.REVOKED},
    DelegationStatus.AWAITING_ACCEPTANCE: {DelegationStatus.ACTIVE, DelegationStatus.REVOKED},
    DelegationStatus.ACTIVE: {DelegationStatus.SUSPENDED, DelegationStatus.REVOKED},
    DelegationStatus.SUSPENDED: {DelegationStatus.ACTIVE, DelegationStatus.REVOKED},
}


class Delegation(Base):
    __tablename__ = "delegations"

    id: Mapped[int] = mapped_column(primary_key=True)
    delegator_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    delegate_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    duration_days: Mapped[int]
    clauses_accepted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    activated_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    def move_to(self, status: DelegationStatus, now: datetime) -> None:
        self.expire_if_due(now)
        if status not in _DELEGATION_MOVES.get(DelegationStatus(self.status), set()):
            current = DELEGATION_STATUS_IT[DelegationStatus(self.status)]
            raise NotAllowed(f"Operazione non consentita: la delega è {current}.")
        if status == DelegationStatus.ACTIVE and self.activated_at is None:
            self.activated_at = now
            self.expires_at = now + timedelta(days=self.duration_days)
        self.status = status

    def expire_if_due(self, now: datetime) -> bool:
        live = {DelegationStatus.ACTIVE, DelegationStatus.SUSPENDED}
        if self.status in live and self.expires_at is not None and now >= self.expires_at:
            self.status = DelegationStatus.EXPIRED
            return True
        return False

    def change_duration(self, days: int) -> None:
        self.duration_days = days
        if self.activated_at is not None:
            self.expires_at = self.activated_at + timedelta(days=days)


class Document(Base):
    """An uploaded file (identity document, transfer forms)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None while an upload waits for the chat to claim it (backend.documents.store_upload).
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegations.id", ondelete="CASCADE")
    )
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_transfers.id", ondelete="CASCADE")
    )
    media_type: Mapped[str] = mapped_column(String(50))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
