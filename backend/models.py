"""Persistent model of the portal.

The classes carry the domain rules that need no database (state changes, expiry);
queries live in the repositories of ``backend.uow``. Foreign keys cascade in the
database so deleting an account removes what belongs to it.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from backend.errors import NotAllowed


class Base(DeclarativeBase):
    def __init__(self, **values):
        # Apply scalar column defaults now, so objects behave the same before any flush
        # (and in the in-memory fakes used by unit tests).
        for column in self.__table__.columns:
            default = column.default
            if column.key not in values and default is not None and default.is_scalar:
                values[column.key] = default.arg
        for key, value in values.items():
            if not hasattr(type(self), key):
                raise TypeError(f"{type(self).__name__} has no attribute {key!r}")
            setattr(self, key, value)


class AccountStatus(StrEnum):
    MOBILE_PENDING = "mobile_pending"
    EMAIL_PENDING = "email_pending"
    CLAUSES_PENDING = "clauses_pending"
    PASSWORD_PENDING = "password_pending"
    ACTIVE = "active"


class CustomerKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    fiscal_code: Mapped[str] = mapped_column(String(16), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    mobile: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    mobile_verified_at: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    clauses_accepted_at: Mapped[datetime | None]
    password_hash: Mapped[str | None] = mapped_column(String(200))
    password_changed_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.COMPANY:
            return self.company_name or ""
        return f"{self.first_name} {self.last_name}"

    def require_status(self, status: AccountStatus) -> None:
        if self.status != status:
            raise NotAllowed(_STEP_MESSAGES.get(self.status, "Operazione non disponibile."))


_STEP_MESSAGES = {
    AccountStatus.MOBILE_PENDING: "Prima devi verificare il numero di cellulare.",
    AccountStatus.EMAIL_PENDING: "Prima devi verificare l'indirizzo e-mail.",
    AccountStatus.CLAUSES_PENDING: "Prima devi accettare le clausole legali.",
    AccountStatus.PASSWORD_PENDING: "Prima devi scegliere la password.",
    AccountStatus.ACTIVE: "La registrazione è già completata.",
}


class CodePurpose(StrEnum):
    REGISTRATION_MOBILE = "registration_mobile"
    REGISTRATION_EMAIL = "registration_email"
    PASSWORD_RESET = "password_reset"
    USERNAME_CHANGE = "username_change"
    LOGIN = "login"
    DELEGATION_RESPONSE = "delegation_response"


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


class Pod(Base):
    """The distributor's registry of supply points and who owns them."""

    __tablename__ = "pods"

    code: Mapped[str] = mapped_column(String(14), primary_key=True)
    owner_fiscal_code: Mapped[str] = mapped_column(String(16))
    customer_type: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(200), default="")


class Supply(Base):
    """A POD linked to an account."""

    __tablename__ = "supplies"
    __table_args__ = (UniqueConstraint("account_id", "pod_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    pod_code: Mapped[str] = mapped_column(ForeignKey("pods.code"))
    linked_at: Mapped[datetime]


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


class CallbackStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CallbackOutcome(StrEnum):
    DONE = "done"
    UNREACHABLE = "unreachable"


class CallbackRequest(Base):
    """A Help Online request to be called back, handled by staff."""

    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(500))
    preferred_time: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    # The Rasa conversation it came from, so staff can read the transcript.
    sender_id: Mapped[str | None] = mapped_column(String(255))
    assigned_to: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL", name="fk_callback_requests_assigned_to")
    )


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Security-relevant event. Never holds secrets; account_id survives deletion."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(50), index=True)
    account_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


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
