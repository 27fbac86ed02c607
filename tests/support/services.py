"""Where the tests find PostgreSQL and Redis.

``TEST_POSTGRES_URL`` and ``TEST_REDIS_URL`` (defaults: the CI machine's ``test`` database
and Redis database 2) let two checkouts run their suites side by side. Standard library
only: the Rasa environment's tests import it too.
"""

import os

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def postgres_url_for_rasa() -> str:
    """The same database on Rasa's driver (psycopg2, SQLAlchemy 1.4)."""
    return "postgresql://" + POSTGRES_URL.partition("://")[2]
