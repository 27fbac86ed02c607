"""Console operators: users, login throttling, sessions, notes, training marks."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class StaffRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # Operators who left: kept for the audit trail and the notes they wrote, never logged in.
    disabled_at: Mapped[datetime | None]


class StaffLoginAttempts(Base):
    """Failed console logins per typed username, known or not (no user enumeration).

    Keyed by an HMAC of the username: people sometimes type their password there.
    """

    __tablename__ = "staff_login_attempts"

    username_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class StaffSessionRecord(Base):
    """A console session; only the SHA-256 of its token is stored."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class HandoverNote(Base):
    """An operator's internal note on a callback request or a practice transfer."""

    __tablename__ = "handover_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True
    )
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_transfers.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class TrainingMark(Base):
    """A user message the bot misunderstood, with the intent staff say it meant."""

    __tablename__ = "training_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id of the message's event in Rasa's tracker store (another database: no FK).
    event_id: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(100))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime]
