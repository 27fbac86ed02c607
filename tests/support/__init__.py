"""What the test suites and the developer tools share: where the services are, the running
stack and chats over its channels, customers, settings, loopback servers. Standard library
only here and in ``services``: the Rasa environment's tests import them too."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
