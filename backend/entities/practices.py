"""Connection practices, requests to transfer them, and the inbox their outcome goes to."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class Practice(Base):
    """A connection practice (pratica di connessione), e.g. of a producer."""

    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    # Practices are the distributor's records: they outlive the account that follows them.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_fiscal_code: Mapped[str] = mapped_column(String(16), index=True)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]


class TransferStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class PracticeTransfer(Base):
    """Request to move practices to a new legal representative or attorney."""

    __tablename__ = "practice_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    requester_fiscal_code: Mapped[str] = mapped_column(String(16))
    practice_ids: Mapped[list[int]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    # The Rasa conversation it came from, so staff can read the transcript.
    sender_id: Mapped[str | None] = mapped_column(String(255))
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL", name="fk_practice_transfers_assigned_to")
    )


class Communication(Base):
    """A message in the account's "Comunicazioni ricevute" inbox."""

    __tablename__ = "communications"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
