"""Wiring for callers outside the library (actions, console, CLI): one engine per URL."""

from functools import cache

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from backend.clock import utcnow
from backend.db import make_engine, make_session_factory
from backend.settings import Settings, get_settings
from backend.uow import Clock, SqlAlchemyUnitOfWork


@cache
def _engine(url: str) -> Engine:
    return make_engine(url)


def engine(settings: Settings | None = None) -> Engine:
    return _engine((settings or get_settings()).resolved_database_url())


@cache
def _session_factory(url: str) -> sessionmaker[Session]:
    return make_session_factory(_engine(url))


def unit_of_work(settings: Settings | None = None, clock: Clock = utcnow) -> SqlAlchemyUnitOfWork:
    """A fresh unit of work on the configured database; use one per service call."""
    settings = settings or get_settings()
    return SqlAlchemyUnitOfWork(
        _session_factory(settings.resolved_database_url()), settings=settings, clock=clock
    )
