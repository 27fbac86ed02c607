"""Integration fixtures: the same tests on SQLite and on PostgreSQL.

PostgreSQL must be reachable (127.0.0.1:5432, database ``test``): each test session migrates
a fresh schema there and drops it at the end; when it is unreachable the tests fail.
"""

import pytest
from backend_databases import Database

from backend import db
from backend.clock import ManualClock
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'sportello.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    yield Database("sqlite", url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_database():
    with postgres_schema("sportello_test") as schema:
        url = in_schema(POSTGRES_URL, schema)
        engine = db.make_engine(url)
        try:
            db.upgrade(engine)
            yield Database("postgresql", url, engine)
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> Database:
    database = request.getfixturevalue(f"{request.param}_database")
    database.clear()
    yield database
    database.clear()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def uow_factory(database, clock):
    """A fresh unit of work per service call, as the chat will use them."""
    return lambda **settings: database.uow(clock, **settings)
