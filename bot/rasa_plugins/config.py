"""The Rasa server's configuration, read from the environment (the app reads its own through
``backend.settings``, which this Python cannot import: standard library only).

- ``TRACKER_STORE_URL``: the tracker store's database, else a SQLite file in the checkout's
  var/ (the same default as ``backend.settings``).
- ``REDIS_URL``: shared conversation locks, else in-memory ones.
- ``SANIC_WORKERS`` (Rasa's own): more than one worker needs ``REDIS_URL``.

A bad value stops the server at start-up with a ``ValueError`` that names the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_TRACKER_STORE_URL = (
    f"sqlite:///{Path(__file__).resolve().parents[2] / 'var' / 'tracker.db'}"
)
REDIS_SCHEMES = ("redis", "rediss", "unix")


@dataclass(frozen=True)
class RasaConfig:
    tracker_store_url: str
    redis_url: str


def read(environ: Mapping[str, str] = os.environ) -> RasaConfig:
    """The configuration in ``environ``, checked."""
    redis_url = environ.get("REDIS_URL", "")
    if redis_url and urlsplit(redis_url).scheme not in REDIS_SCHEMES:
        raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
    workers = environ.get("SANIC_WORKERS", "1")
    if not (workers.isdigit() and int(workers) >= 1):
        raise ValueError("SANIC_WORKERS must be a whole number, 1 or more")
    # Rasa lets any custom lock store run several workers: refuse the unsafe combination.
    if int(workers) > 1 and not redis_url:
        raise ValueError("SANIC_WORKERS > 1 needs REDIS_URL: in-memory locks are per worker.")
    return RasaConfig(environ.get("TRACKER_STORE_URL") or DEFAULT_TRACKER_STORE_URL, redis_url)


def tracker_store_url() -> str:
    """The tracker store's database URL; a SQLite file's directory is created if missing."""
    url = read().tracker_store_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url
