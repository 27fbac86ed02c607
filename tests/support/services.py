"""Where the tests find PostgreSQL and Redis.

``TEST_POSTGRES_URL`` and ``TEST_REDIS_URL`` (defaults: the CI machine's ``test`` database
and Redis database 2) let two checkouts run their suites side by side. Imported by the Rasa
environment's tests too: standard library at import time, SQLAlchemy (2 in the app's
environment, 1.4 in Rasa's) only inside ``postgres_schema``.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def postgres_url_for_rasa() -> str:
    """The same database on Rasa's driver (psycopg2, SQLAlchemy 1.4)."""
    return "postgresql://" + POSTGRES_URL.partition("://")[2]


@contextmanager
def postgres_schema(prefix: str, url: str = POSTGRES_URL) -> Iterator[str]:
    """A fresh schema of the test database, dropped afterwards: its name. Fails loudly when
    PostgreSQL is not there."""
    import sqlalchemy as sa

    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield schema
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def in_schema(url: str, schema: str) -> str:
    """The URL with the schema first on the search path: the tests' processes and the CLI
    find it there too."""
    return f"{url}?options=-csearch_path%3D{schema}"
