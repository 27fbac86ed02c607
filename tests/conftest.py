"""Test layout: tests/rasa_plugins runs in the Rasa environment, everything else in the app's,
where the suites over a channel share one running stack (tests/support/fixtures.py).

Every test, and every process a test starts, runs in development mode: the default keys are
allowed (tests/integration/test_startup.py checks what production refuses).
"""

import importlib.util
import os

import pytest

os.environ["SPORTELLO_ENV"] = "development"

if importlib.util.find_spec("rasa"):
    collect_ignore = []
else:
    collect_ignore = ["rasa_plugins"]
    pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture
def configure(monkeypatch):
    """Sets environment variables the app's settings read, for one test (they are cached)."""
    from backend.settings import get_settings

    def set_variables(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_variables
    get_settings.cache_clear()
