"""Integration fixtures: the same tests on SQLite and on PostgreSQL.

PostgreSQL must be reachable (127.0.0.1:5432, database ``test``): each test session migrates
a fresh schema there and drops it at the end; when it is unreachable the tests fail.
"""

import uuid

import pytest
from backend_databases import POSTGRES_URL, Database
from sqlalchemy import text

from backend import db
from backend.clock import ManualClock


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'sportello.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    yield Database("sqlite", url, engine)
    engine.dispose()


@pytest.fixture(scope="session")
def postgresql_database():
    schema = f"sportello_test_{uuid.uuid4().hex[:8]}"
    admin = db.make_engine(POSTGRES_URL)
    with admin.begin() as connection:  # fails loudly when PostgreSQL is not there
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    # The schema travels in the URL so that subprocesses and the CLI can use it too.
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = db.make_engine(url)
    try:
        db.upgrade(engine)
        yield Database("postgresql", url, engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


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
