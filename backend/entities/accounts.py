"""A customer's account on the portal and where its registration stands."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base
from backend.errors import NotAllowed


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
    __table_args__ = (
        UniqueConstraint("fiscal_code", "representative_fiscal_code", name="uq_accounts_holder"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    company_name: Mapped[str | None] = mapped_column(String(200))
    fiscal_code: Mapped[str] = mapped_column(String(16))
    # A company's legal representative, by their Codice Fiscale; empty for a person. FAQ 10:
    # a new representative registers the company again with their own fiscal data, so a
    # company has one account per representative.
    representative_fiscal_code: Mapped[str] = mapped_column(
        String(16), default="", server_default=""
    )
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
