"""Fixtures of the backend unit tests: a fake unit of work on a manual clock."""

import pytest
from backend_fakes import FakeUnitOfWork

from backend.clock import ManualClock
from tests.support.settings import fast_settings


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def uow(clock) -> FakeUnitOfWork:
    return FakeUnitOfWork(fast_settings(), clock)
