"""The Rasa server's configuration: read once from the environment, refused when malformed."""

from pathlib import Path

import pytest

from bot.rasa_plugins import config

ROOT = Path(__file__).resolve().parents[2]


def test_without_variables_the_stores_are_local():
    read = config.read({})
    assert read.tracker_store_url == f"sqlite:///{ROOT / 'var' / 'tracker.db'}"
    assert read.redis_url == ""


def test_the_variables_are_read():
    environ = {
        "TRACKER_STORE_URL": "postgresql://rasa@db/tracker",
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "SANIC_WORKERS": "4",
    }
    assert config.read(environ) == config.RasaConfig(
        "postgresql://rasa@db/tracker", "redis://127.0.0.1:6379/1"
    )


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL"),
        ({"SANIC_WORKERS": "due"}, "SANIC_WORKERS"),
        ({"SANIC_WORKERS": "0"}, "SANIC_WORKERS"),
        ({"SANIC_WORKERS": "2"}, "REDIS_URL"),  # in-memory locks are per worker
    ],
)
def test_a_malformed_or_unsafe_configuration_is_refused(environ, variable):
    with pytest.raises(ValueError, match=variable):
        config.read(environ)


def test_a_sqlite_tracker_store_gets_its_directory(tmp_path, monkeypatch):
    database = tmp_path / "nuova" / "tracker.db"
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{database}")
    assert config.tracker_store_url() == f"sqlite:///{database}"
    assert database.parent.is_dir()
