"""Fakes for the service tests (cosmicpython style): in-memory repositories and unit of work."""

from itertools import count

from stdnum.it import codicefiscale

from backend import outbox
from backend.clock import ManualClock
from backend.settings import Settings
from backend.uow import REPOSITORIES, AbstractUnitOfWork


class FakeRepository:
    def __init__(self, model):
        self.model = model
        self.rows: dict = {}
        self._ids = count(1)

    def _key_name(self) -> str:
        return self.model.__mapper__.primary_key[0].key

    def add(self, obj):
        key = self._key_name()
        if getattr(obj, key) is None:
            setattr(obj, key, next(self._ids))
        self.rows[getattr(obj, key)] = obj
        return obj

    def get(self, key, *, for_update=False):
        return self.rows.get(key)

    def find(self, **equals):
        return [o for o in self.rows.values() if all(getattr(o, k) == v for k, v in equals.items())]

    def first(self, **equals):
        found = self.find(**equals)
        return found[0] if found else None

    def find_in(self, attribute, values):
        return [o for o in self.rows.values() if getattr(o, attribute) in values]

    def delete(self, obj):
        del self.rows[getattr(obj, self._key_name())]


class FakeCodeRepository(FakeRepository):
    def consume(self, code, now) -> bool:
        if code.used_at is not None:
            return False
        code.used_at = now
        return True


class FakeUnitOfWork(AbstractUnitOfWork):
    def __init__(self, settings: Settings, clock: ManualClock):
        super().__init__(settings=settings, clock=clock)
        for name, model in REPOSITORIES.items():
            setattr(self, name, FakeRepository(model))
        from backend.models import VerificationCode

        self.codes = FakeCodeRepository(VerificationCode)
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass

    def messages_to(self, recipient: str) -> list:
        return self.outbox.find(recipient=recipient)

    def last_code(self, recipient: str) -> str:
        """The code in the latest message to the recipient, as the user would read it."""
        return outbox.last_code(self, recipient)


def fast_settings(**overrides) -> Settings:
    values = dict(
        database_url="sqlite://",
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
        secret_key="test-secret",
    )
    return Settings(**(values | overrides))


def make_fiscal_code(prefix: str) -> str:
    return prefix + codicefiscale.calc_check_digit(prefix)


def add_active_account(
    uow, email: str, fiscal_code: str, name: str = "Mario Rossi", password: str = "Sportello#1"
) -> int:
    """An account that went through registration, written straight into the fake."""
    from backend.models import Account
    from backend.passwords import hash_password

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


PDF = b"%PDF-1.7\n" + b"x" * 100
