"""Test layout: tests/rasa_plugins runs in the Rasa environment, everything else in the app's,
where the suites over a channel share one running stack (tests/support/fixtures.py)."""

import importlib.util

if importlib.util.find_spec("rasa"):
    collect_ignore = []
else:
    collect_ignore = ["rasa_plugins"]
    pytest_plugins = ["tests.support.fixtures"]
