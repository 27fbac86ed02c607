"""Where the tracker store lives: shared by the Rasa plugin and the staff console (no Rasa import).

Standard library only, Python 3.10-compatible: the Rasa server imports it too.
"""

import os
from pathlib import Path

DEFAULT_URL = f"sqlite:///{Path(__file__).resolve().parents[1] / 'var' / 'tracker.db'}"


def tracker_store_url() -> str:
    """The tracker store's database URL: `TRACKER_STORE_URL`, else a SQLite file in var/."""
    url = os.environ.get("TRACKER_STORE_URL") or DEFAULT_URL
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url
