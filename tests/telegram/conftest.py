"""The Telegram bridge against a fake Bot API on loopback and the real Rasa + action servers."""

import itertools
import uuid

import pytest

from backend.accounts import add_account
from backend.bootstrap import unit_of_work
from backend.models import AccountStatus
from backend.passwords import hash_password
from backend.settings import Settings
from backend.validators import validate_holder
from tests.telegram.bridge import BridgeProcess
from tests.telegram.fake_bot_api import FakeBotApi
from tests.tools.stack import Stack
from tests.unit.backend.backend_fakes import make_fiscal_code

PASSWORD = "Sportello#2024"
_users = itertools.count(910_000_001)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("telegram-stack")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def fake():
    api = FakeBotApi().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def bridge(fake, stack, tmp_path_factory):
    """`sportello telegram` polling the fake Bot API, relaying to the real Rasa."""
    log = tmp_path_factory.mktemp("bridge") / "bridge.log"
    process = BridgeProcess(fake, stack.rasa_url, stack.database_url, log).start()
    yield process
    process.stop()


@pytest.fixture
def user() -> int:
    """A Telegram user (and private chat) id of its own for each test."""
    return next(_users)


@pytest.fixture
def uow(stack):
    return lambda: unit_of_work(Settings(database_url=stack.database_url))


@pytest.fixture
def new_customer(uow):
    """Makes active customers in the stack's database; returns (account id, e-mail)."""

    def make(first_name: str = "Anna") -> tuple[int, str]:
        tag = uuid.uuid4().hex[:6]
        letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in tag)
        email = f"tg.{tag}@example.it"
        work = uow()
        with work:
            now = work.now()
            holder = validate_holder(
                make_fiscal_code(f"{letters}85M41F205"), first_name=first_name, last_name="Tg"
            )
            account = add_account(
                work,
                holder,
                email,
                f"+39348{int(tag, 16) % 10**7:07d}",
                status=AccountStatus.ACTIVE,
                mobile_verified_at=now,
                email_verified_at=now,
                clauses_accepted_at=now,
                password_hash=hash_password(work.settings, PASSWORD),
            )
            work.commit()
            return account.id, email

    return make


@pytest.fixture
def customer_email(new_customer) -> str:
    """A new active customer's e-mail (password ``PASSWORD``)."""
    return new_customer()[1]
