"""The conversation index on a fresh SQLite file and in a fresh schema of the test PostgreSQL."""

import time

import pytest

from backend.db import make_engine
from console.conversations import ConversationIndex
from tests.support.conversations import Script, write
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(request, tmp_path):
    """A tracker store database of our own: other tests share PostgreSQL's `test`."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    with postgres_schema("console_test") as schema:
        yield in_schema(POSTGRES_URL, schema)


class Clock:
    """Now, unless a test moves it."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tracker_url):
    """Appends scripted conversations to the `events` table, as Rasa would."""
    engine = make_engine(tracker_url)

    def append(*scripts: Script) -> None:
        write(engine, [row for script in scripts for row in script.rows()])
        for script in scripts:
            script.events.clear()  # a script continues with its next events

    yield append
    engine.dispose()


@pytest.fixture
def index(tracker_url, clock):
    index = ConversationIndex(tracker_url, clock=clock)
    yield index
    index.engine.dispose()
