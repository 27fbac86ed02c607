"""One-time verification codes (only their keyed hash)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class CodePurpose(StrEnum):
    REGISTRATION_MOBILE = "registration_mobile"
    REGISTRATION_EMAIL = "registration_email"
    PASSWORD_RESET = "password_reset"
    USERNAME_CHANGE = "username_change"


class VerificationCode(Base):
    """A one-time code; only its keyed hash is stored."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(30))
    # What the code is about beyond the account (e.g. a delegation id); part of the hash.
    ref: Mapped[str] = mapped_column(String(50), default="")
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
