"""The SMS budget's ledger: every SMS a flow asked for, queued or refused (backend.sms_budget)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class SmsLimit(StrEnum):
    """The limit that refused an SMS; an SMS that went into the outbox has none ("")."""

    NUMBER = "numero"  # SMS to one destination number in an hour
    CLIENT = "cliente"  # SMS-sending flows started by one client in an hour
    HOURLY = "orario"  # SMS of the whole service in an hour (SMS_HOURLY_BUDGET)


class SmsBudgetEntry(Base):
    """One SMS asked for. The number and the client are kept only as keyed hashes: the
    limits need equality, nothing more, so the ledger holds no personal data in clear."""

    __tablename__ = "sms_budget_entries"
    __table_args__ = (
        Index("ix_sms_budget_entries_recipient", "recipient", "created_at"),
        Index("ix_sms_budget_entries_client", "client", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    flow: Mapped[str] = mapped_column(String(40))  # which task asked: registration, ...
    recipient: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    # The first SMS of a flow: what the per-client limit counts (a new code does not).
    opens_flow: Mapped[bool] = mapped_column(default=False)
    refused: Mapped[str] = mapped_column(String(10), default="")  # an SmsLimit, or ""
