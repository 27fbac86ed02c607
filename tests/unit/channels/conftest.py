"""The channels' unit tests: the backend's database is the in-memory fake."""

import pytest

from backend import bootstrap
from backend.clock import ManualClock
from tests.support.settings import fast_settings
from tests.unit.backend.backend_fakes import FakeUnitOfWork


@pytest.fixture(autouse=True)
def uow(monkeypatch):
    """Every unit of work the web app or the bridge opens: one fake, its rows kept."""
    fake = FakeUnitOfWork(fast_settings(), ManualClock())
    monkeypatch.setattr(bootstrap, "unit_of_work", lambda settings=None: fake)
    return fake
