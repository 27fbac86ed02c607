"""The conversation index on a fresh SQLite file and in a fresh schema of the test PostgreSQL."""

import time
import uuid

import pytest
import sqlalchemy as sa

from backend.db import make_engine
from console.conversations import ConversationIndex
from tests.support.services import POSTGRES_URL
from tests.tools.conversations import Script, write


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(request, tmp_path):
    """A tracker store database of our own: other tests share PostgreSQL's `test`."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    schema = f"console_test_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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
