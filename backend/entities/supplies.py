"""The distributor's supply points (POD) and the ones linked to an account."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


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
