"""Fakes for the service tests (cosmicpython style): in-memory repositories and unit of work.

The fake keeps transactions like the database does: what a service changed and did not
commit is gone when its ``with uow:`` block ends, so a forgotten ``commit()`` fails a test.
Rows written by a test outside any ``with uow:`` block count as committed (test set-up).
"""

import copy
from itertools import count
from typing import Any, Generic, TypeVar

from backend.clock import ManualClock
from backend.entities import (
    Account,
    Base,
    LiveChat,
    LiveChatState,
    LiveMessage,
    Rating,
    SmsBudgetEntry,
    VerificationCode,
)
from backend.passwords import hash_password
from backend.settings import Settings
from backend.uow import REPOSITORIES, AbstractUnitOfWork
from tests.support.portal_data import last_code

T = TypeVar("T", bound=Base)
PDF = b"%PDF-1.7\n" + b"x" * 100


class FakeRepository(Generic[T]):
    """One table in memory: ``rows`` as the open transaction sees them, and the column values
    as of the last commit. Rolling back swaps the rows for fresh objects built from those
    values: objects handed out before keep whatever they held, as detached ORM objects do."""

    def __init__(self, model: type[T]):
        self.model = model
        self.rows: dict[Any, T] = {}
        self._committed: dict[Any, dict[str, Any]] = {}
        self._ids = count(1)
        self._key = model.__mapper__.primary_key[0].key
        self._columns = [column.key for column in model.__mapper__.column_attrs]

    def keep(self) -> None:
        """Take the current rows as committed."""
        self._committed = {
            key: {name: copy.deepcopy(getattr(obj, name)) for name in self._columns}
            for key, obj in self.rows.items()
        }

    def restore(self) -> None:
        """Back to the rows as last committed."""
        self.rows = {
            key: self.model(**copy.deepcopy(values)) for key, values in self._committed.items()
        }

    def add(self, obj: T) -> T:
        if getattr(obj, self._key) is None:
            setattr(obj, self._key, next(self._ids))
        self.rows[getattr(obj, self._key)] = obj
        return obj

    def get(self, key: Any, *, for_update: bool = False) -> T | None:
        return self.rows.get(key)

    def find(self, **equals: Any) -> list[T]:
        return [
            obj
            for _, obj in sorted(self.rows.items())
            if all(getattr(obj, name) == value for name, value in equals.items())
        ]

    def first(self, **equals: Any) -> T | None:
        found = self.find(**equals)
        return found[0] if found else None

    def find_in(self, attribute: str, values) -> list[T]:
        return [obj for obj in self.rows.values() if getattr(obj, attribute) in values]

    def delete(self, obj: T) -> None:
        del self.rows[getattr(obj, self._key)]


class FakeCodeRepository(FakeRepository[VerificationCode]):
    def consume(self, code: VerificationCode, now) -> bool:
        if code.used_at is not None:
            return False
        code.used_at = now
        return True


class FakeSmsLedger(FakeRepository[SmsBudgetEntry]):
    def hold(self) -> None:
        """One process, one unit of work at a time: nothing to wait for."""

    def tally(self, since, until=None, **equals):
        rows = [
            row
            for row in self.find(**equals)
            if row.created_at >= since and (until is None or row.created_at < until)
        ]
        return len(rows), min((row.created_at for row in rows), default=None)


class FakeLiveChats(FakeRepository[LiveChat]):
    def shift(self, chat: LiveChat, from_state: str, **values) -> bool:
        if chat.state != from_state:
            return False
        for name, value in values.items():
            setattr(chat, name, value)
        return True

    def last_handled(self, limit: int) -> list[LiveChat]:
        handled = [c for c in self.find(state=LiveChatState.ENDED) if c.taken_at is not None]
        return sorted(handled, key=lambda c: c.ended_at, reverse=True)[:limit]


class FakeLiveMessages(FakeRepository[LiveMessage]):
    def __init__(self, model: type[LiveMessage], chats: FakeLiveChats):
        super().__init__(model)
        self.chats = chats

    def after(self, after_id: int, **equals) -> list[LiveMessage]:
        return [m for m in self.find(**equals) if m.id > after_id]

    def undelivered(self, channel: str, limit: int) -> list[LiveMessage]:
        return [
            m for m in self.find(delivered_at=None) if self.chats.get(m.chat_id).channel == channel
        ][:limit]


class FakeRatings(FakeRepository[Rating]):
    def between(self, since, until) -> list[Rating]:
        rows = [row for row in self.rows.values() if since <= row.created_at < until]
        return sorted(rows, key=lambda row: (row.created_at, row.id))


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self, settings: Settings, clock: ManualClock):
        super().__init__(settings=settings, clock=clock)
        self.repositories: list[FakeRepository] = []
        for name, model in REPOSITORIES.items():
            setattr(self, name, self._repository(FakeRepository(model)))
        self.codes = self._repository(FakeCodeRepository(VerificationCode))
        self.sms_budget = self._repository(FakeSmsLedger(SmsBudgetEntry))
        self.live_chats = self._repository(FakeLiveChats(LiveChat))
        self.live_messages = self._repository(FakeLiveMessages(LiveMessage, self.live_chats))
        self.ratings = self._repository(FakeRatings(Rating))
        self.commits = 0
        self.in_transaction = False

    def _repository(self, repository: FakeRepository) -> FakeRepository:
        self.repositories.append(repository)
        return repository

    def __enter__(self):
        # A nested block would open a second session on the database and lose the first.
        assert not self.in_transaction, "a service opened `with uow:` inside another one"
        self.in_transaction = True
        for repository in self.repositories:
            repository.keep()
        return self

    def __exit__(self, *exc_info) -> None:
        super().__exit__(*exc_info)
        self.in_transaction = False

    def commit(self) -> None:
        self.commits += 1
        for repository in self.repositories:
            repository.keep()

    def rollback(self) -> None:
        for repository in self.repositories:
            repository.restore()

    def messages_to(self, recipient: str) -> list:
        return self.outbox.find(recipient=recipient)

    def last_code(self, recipient: str) -> str:
        return last_code(self, recipient)


def add_active_account(
    uow, email: str, fiscal_code: str, name: str = "Mario Rossi", password: str = "Sportello#1"
) -> int:
    """An account that went through registration, written straight into the fake."""
    first, last = name.split(" ", 1)
    now = uow.now()
    account = uow.accounts.add(
        Account(
            kind="person" if len(fiscal_code) == 16 else "company",
            first_name=first,
            last_name=last,
            company_name=name,
            fiscal_code=fiscal_code,
            email=email,
            mobile="+393331234567",
            status="active",
            mobile_verified_at=now,
            email_verified_at=now,
            clauses_accepted_at=now,
            created_at=now,
            password_hash=hash_password(uow.settings, password),
        )
    )
    return account.id
