"""Helpers of the integration tests: a migrated database and units of work on it."""

from backend import db
from backend.models import Base
from backend.settings import Settings
from backend.uow import SqlAlchemyUnitOfWork
from tests.support.services import POSTGRES_URL  # noqa: F401  (the suite's databases)


def fast_settings(url: str, **overrides) -> Settings:
    values = dict(
        database_url=url,
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
        secret_key="test-secret",
    )
    return Settings(**(values | overrides))


class Database:
    def __init__(self, name: str, url: str, engine):
        self.name, self.url, self.engine = name, url, engine
        self.session_factory = db.make_session_factory(engine)

    def uow(self, clock=None, **settings) -> SqlAlchemyUnitOfWork:
        kwargs = {"settings": fast_settings(self.url, **settings)}
        if clock is not None:
            kwargs["clock"] = clock
        return SqlAlchemyUnitOfWork(self.session_factory, **kwargs)

    def clear(self) -> None:
        with self.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
