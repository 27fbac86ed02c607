"""What the scheduler's jobs need stored: a lease per job, and the transcripts to erase."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class JobLease(Base):
    """One row per job: who runs it now (until ``expires_at``) and when it last finished.

    Taken with a conditional UPDATE, which PostgreSQL and SQLite both apply to one writer at a
    time, so two schedulers never run the same job at once (``backend.jobs``).
    """

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100), default="")
    expires_at: Mapped[datetime]
    last_finished_at: Mapped[datetime | None]
    last_result: Mapped[int | None]


class TranscriptErasure(Base):
    """A deleted account whose chat transcripts are still to be erased (right to erasure).

    Written in the transaction that deletes the account, like the outbox: the erasure of the
    transcripts, in the tracker store's database, can then never be lost. The row goes once
    they are erased. ``account_id`` has no foreign key: the account is gone.
    """

    __tablename__ = "transcript_erasures"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int]
    requested_at: Mapped[datetime]
