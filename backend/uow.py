"""Unit of work and repositories.

A service runs inside ``with uow:`` and calls ``uow.commit()``; leaving the block without
committing rolls everything back, so bad input changes nothing. The session's lifecycle
belongs to the unit of work, never to the services.
"""

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any, Generic, Protocol, Self, TypeVar, get_args, get_origin, get_type_hints

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend import entities
from backend.clock import utcnow
from backend.errors import Conflict
from backend.settings import Settings, get_settings

T = TypeVar("T", bound=entities.Base)
Clock = Callable[[], datetime]


class Repository(Protocol[T]):
    """The rows of one table, as the services see them (SQL here, in memory in unit tests)."""

    def add(self, obj: T) -> T: ...

    def get(self, key: Any, *, for_update: bool = False) -> T | None: ...

    def find(self, **equals: Any) -> list[T]:
        """The rows whose attributes equal ``equals``, in primary-key order."""
        ...

    def first(self, **equals: Any) -> T | None: ...

    def find_in(self, attribute: str, values: Collection[Any]) -> list[T]: ...

    def delete(self, obj: T) -> None: ...


class CodeRepository(Repository[entities.VerificationCode], Protocol):
    def consume(self, code: entities.VerificationCode, now: datetime) -> bool:
        """Mark a code used; False if someone else used it first."""
        ...


class SmsLedger(Repository[entities.SmsBudgetEntry], Protocol):
    def hold(self) -> None:
        """Make this transaction the only one counting or adding entries until it ends."""
        ...

    def tally(
        self, since: datetime, until: datetime | None = None, **equals: Any
    ) -> tuple[int, datetime | None]:
        """How many entries with ``equals`` were made from ``since`` (to ``until``), and
        when the oldest of them was."""
        ...


class SqlRepository(Generic[T]):
    def __init__(self, session: Session, model: type[T]):
        self.session = session
        self.model = model

    def add(self, obj: T) -> T:
        self.session.add(obj)
        try:
            self.session.flush()  # assigns the id the caller usually needs next
        except IntegrityError as exc:
            raise Conflict("I dati indicati risultano già registrati.") from exc
        return obj

    def get(self, key: Any, *, for_update: bool = False) -> T | None:
        # populate_existing: a locked read must see the latest committed values.
        return self.session.get(
            self.model,
            key,
            with_for_update=True if for_update else None,
            populate_existing=for_update,
        )

    def find(self, **equals: Any) -> list[T]:
        query = select(self.model).filter_by(**equals).order_by(*self.model.__mapper__.primary_key)
        return list(self.session.scalars(query))

    def first(self, **equals: Any) -> T | None:
        found = self.find(**equals)
        return found[0] if found else None

    def find_in(self, attribute: str, values: Collection[Any]) -> list[T]:
        """The rows whose ``attribute`` is one of ``values``."""
        query = select(self.model).where(getattr(self.model, attribute).in_(values))
        return list(self.session.scalars(query))

    def delete(self, obj: T) -> None:
        self.session.delete(obj)
        self.session.flush()


class SqlCodeRepository(SqlRepository[entities.VerificationCode]):
    def consume(self, code: entities.VerificationCode, now: datetime) -> bool:
        """Mark a code used; False if someone else used it first (atomic on any database)."""
        table = entities.VerificationCode
        result = self.session.execute(
            update(table)
            .where(table.id == code.id, table.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        code.used_at = now
        return result.rowcount == 1


class LiveChatRepository(Repository[entities.LiveChat], Protocol):
    def shift(self, chat: entities.LiveChat, from_state: str, **values: Any) -> bool:
        """Set ``values`` if the chat is still in ``from_state``; False if someone changed it
        first (of two operators taking it at once, one wins)."""
        ...

    def last_handled(self, limit: int) -> list[entities.LiveChat]:
        """The ``limit`` chats an operator took that ended last."""
        ...


class LiveMessageRepository(Repository[entities.LiveMessage], Protocol):
    def after(self, after_id: int, **equals: Any) -> list[entities.LiveMessage]:
        """The messages numbered after ``after_id`` with ``equals``, in order."""
        ...

    def undelivered(self, channel: str, limit: int) -> list[entities.LiveMessage]:
        """Messages of ``channel``'s chats never delivered, oldest first."""
        ...


class SqlLiveChatRepository(SqlRepository[entities.LiveChat]):
    def shift(self, chat: entities.LiveChat, from_state: str, **values: Any) -> bool:
        table = entities.LiveChat
        result = self.session.execute(
            update(table)
            .where(table.id == chat.id, table.state == from_state)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            return False
        for name, value in values.items():
            setattr(chat, name, value)
        return True

    def last_handled(self, limit: int) -> list[entities.LiveChat]:
        table = entities.LiveChat
        query = (
            select(table)
            .where(table.state == entities.LiveChatState.ENDED, table.taken_at.is_not(None))
            .order_by(table.ended_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(query))


class SqlLiveMessageRepository(SqlRepository[entities.LiveMessage]):
    def after(self, after_id: int, **equals: Any) -> list[entities.LiveMessage]:
        table = entities.LiveMessage
        query = select(table).filter_by(**equals).where(table.id > after_id).order_by(table.id)
        return list(self.session.scalars(query))

    def undelivered(self, channel: str, limit: int) -> list[entities.LiveMessage]:
        table, chats = entities.LiveMessage, entities.LiveChat
        query = (
            select(table)
            .join(chats, chats.id == table.chat_id)
            .where(chats.channel == channel, table.delivered_at.is_(None))
            .order_by(table.id)
            .limit(limit)
        )
        return list(self.session.scalars(query))


class RatingRepository(Repository[entities.Rating], Protocol):
    def between(self, since: datetime, until: datetime) -> list[entities.Rating]:
        """The ratings given from ``since`` to ``until`` (excluded), oldest first."""
        ...


class SqlRatingRepository(SqlRepository[entities.Rating]):
    def between(self, since: datetime, until: datetime) -> list[entities.Rating]:
        table = entities.Rating
        query = (
            select(table)
            .where(table.created_at >= since, table.created_at < until)
            .order_by(table.created_at, table.id)
        )
        return list(self.session.scalars(query))


# pg_advisory_xact_lock's key for the SMS budget: any constant no other lock uses.
SMS_BUDGET_LOCK = 5_770_001


class SqlSmsLedger(SqlRepository[entities.SmsBudgetEntry]):
    def hold(self) -> None:
        """PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time and
        pysqlite reads outside the transaction until its first write, so a write (one that
        changes nothing) takes the database's write lock, and what is read after it is fresh."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": SMS_BUDGET_LOCK}
            )
        else:
            table = entities.SmsBudgetEntry
            self.session.execute(
                update(table).where(table.id == -1).values(flow=table.flow),
                execution_options={"synchronize_session": False},
            )

    def tally(
        self, since: datetime, until: datetime | None = None, **equals: Any
    ) -> tuple[int, datetime | None]:
        table = entities.SmsBudgetEntry
        query = select(func.count(), func.min(table.created_at)).filter_by(**equals)
        query = query.where(table.created_at >= since)
        if until is not None:
            query = query.where(table.created_at < until)
        count, oldest = self.session.execute(query).one()
        return count, oldest


class AbstractUnitOfWork:
    """Holds the repositories, the settings and the clock the services use."""

    accounts: Repository[entities.Account]
    codes: CodeRepository
    sms_budget: SmsLedger
    pods: Repository[entities.Pod]
    supplies: Repository[entities.Supply]
    delegations: Repository[entities.Delegation]
    documents: Repository[entities.Document]
    practices: Repository[entities.Practice]
    transfers: Repository[entities.PracticeTransfer]
    communications: Repository[entities.Communication]
    callbacks: Repository[entities.CallbackRequest]
    outbox: Repository[entities.OutboxMessage]
    audit: Repository[entities.AuditEvent]
    staff: Repository[entities.StaffUser]
    staff_login_attempts: Repository[entities.StaffLoginAttempts]
    staff_sessions: Repository[entities.StaffSessionRecord]
    handover_notes: Repository[entities.HandoverNote]
    training_marks: Repository[entities.TrainingMark]
    transcript_erasures: Repository[entities.TranscriptErasure]
    job_leases: Repository[entities.JobLease]
    operator_presence: Repository[entities.OperatorPresence]
    live_chats: LiveChatRepository
    live_messages: LiveMessageRepository
    ratings: RatingRepository

    def __init__(self, settings: Settings | None = None, clock: Clock = utcnow):
        self.settings = settings or get_settings()
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.rollback()

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError


# Every plain repository's attribute and table, read from the annotations above (``codes``,
# ``sms_budget``, ``live_chats``, ``live_messages`` and ``ratings`` have their own classes):
# the SQL unit of work and the unit tests' fake are both built from it.
REPOSITORIES: dict[str, type[entities.Base]] = {
    name: get_args(hint)[0]
    for name, hint in get_type_hints(AbstractUnitOfWork).items()
    if get_origin(hint) is Repository
}


class SqlAlchemyUnitOfWork(AbstractUnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session], **kwargs):
        super().__init__(**kwargs)
        self.session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        for name, model in REPOSITORIES.items():
            setattr(self, name, SqlRepository(self.session, model))
        self.codes = SqlCodeRepository(self.session, entities.VerificationCode)
        self.sms_budget = SqlSmsLedger(self.session, entities.SmsBudgetEntry)
        self.live_chats = SqlLiveChatRepository(self.session, entities.LiveChat)
        self.live_messages = SqlLiveMessageRepository(self.session, entities.LiveMessage)
        self.ratings = SqlRatingRepository(self.session, entities.Rating)
        return self

    def __exit__(self, *exc_info) -> None:
        # Detach first so objects handed back to the caller keep their loaded values.
        self.session.expunge_all()
        super().__exit__(*exc_info)
        self.session.close()

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict("I dati indicati risultano già registrati.") from exc

    def rollback(self) -> None:
        self.session.rollback()
