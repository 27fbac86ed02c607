"""The real Rasa server and action server, started once for the end-to-end tests."""

import json
import re
import uuid

import httpx
import pytest
import yaml

from backend.bootstrap import unit_of_work
from backend.settings import Settings
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


@pytest.fixture
def uow(stack):
    """A unit of work on the database the action server writes to."""
    return lambda: unit_of_work(Settings(database_url=stack.database_url))


@pytest.fixture
def code_for(stack):
    """The code in the latest e-mail or SMS to a recipient, read with `sportello outbox`."""

    def read(recipient: str) -> str:
        line = stack.sportello("outbox", "--to", recipient, "--last", "--json")
        return re.search(r"\b\d{6}\b", json.loads(line)["body"]).group()

    return read
