"""The Telegram bridge against a fake Bot API on loopback and the real Rasa + action servers."""

import itertools

import pytest

from backend.bootstrap import unit_of_work
from backend.settings import Settings
from tests.telegram.bridge import BridgeProcess
from tests.telegram.fake_bot_api import FakeBotApi
from tests.tools.customers import add_customer
from tests.tools.stack import Stack

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
def new_customer(stack):
    """Makes active customers in the stack's database; returns (account id, e-mail)."""

    def make(first_name: str = "Anna") -> tuple[int, str]:
        customer = add_customer(stack.database_url, first_name)
        return customer.id, customer.email

    return make


@pytest.fixture
def customer_email(new_customer) -> str:
    """A new active customer's e-mail (password ``PASSWORD``)."""
    return new_customer()[1]
