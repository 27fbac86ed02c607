"""The real Rasa server and action server, started once for the end-to-end tests."""

import uuid

import httpx
import pytest
import yaml

from tests.tools import ROOT
from tests.tools.stack import Stack, say


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def responses() -> dict[str, list[str]]:
    """The texts of every response in the domain, by response name."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {
        name: [variation["text"] for variation in variations]
        for name, variations in domain["responses"].items()
    }


@pytest.fixture
def chat(stack):
    """A new conversation: call it with a message, get the bot's replies back."""
    sender = f"e2e-{uuid.uuid4()}"
    with httpx.Client() as client:
        yield lambda text: say(client, stack.rasa_url, sender, text)
