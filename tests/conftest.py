"""Test layout: tests/rasa_plugins runs in the Rasa environment, everything else in the app's."""

import importlib.util

collect_ignore = [] if importlib.util.find_spec("rasa") else ["rasa_plugins"]
