"""The Telegram bridge against a fake Bot API on loopback, relaying to the shared running
stack (tests/support/fixtures.py)."""

import itertools

import pytest

from tests.support.bridge import BridgeProcess
from tests.support.fake_bot_api import FakeBotApi

_users = itertools.count(910_000_001)


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
