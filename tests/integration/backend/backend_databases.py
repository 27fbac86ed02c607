"""Helpers of the integration tests: a migrated database and units of work on it."""

from backend import db
from backend.entities import Base
from backend.uow import SqlAlchemyUnitOfWork
from tests.support.settings import fast_settings


class Database:
    def __init__(self, name: str, url: str, engine):
        self.name, self.url, self.engine = name, url, engine
        self.session_factory = db.make_session_factory(engine)

    def uow(self, clock=None, **settings) -> SqlAlchemyUnitOfWork:
        kwargs = {"settings": fast_settings(database_url=self.url, **settings)}
        if clock is not None:
            kwargs["clock"] = clock
        return SqlAlchemyUnitOfWork(self.session_factory, **kwargs)

    def clear(self) -> None:
        with self.engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
