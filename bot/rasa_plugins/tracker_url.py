"""Where the tracker store lives, read on the Rasa side (the app reads it through Settings).

Standard library only: ``TRACKER_STORE_URL``, else a SQLite file in the checkout's var/
(the same default as ``backend.settings``).
"""

import os
from pathlib import Path

DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parents[2] / 'var' / 'tracker.db'}"


def tracker_store_url() -> str:
    """The tracker store's database URL: `TRACKER_STORE_URL`, else a SQLite file in var/."""
    url = os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url
