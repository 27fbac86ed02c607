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
from tests.tools.customers import Customer, add_customer
from tests.tools.stack import Stack, said, say


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


class Chat:
    """One conversation: call it with a message, get the bot's replies back."""

    def __init__(self, client: httpx.Client, rasa_url: str):
        self.client, self.rasa_url = client, rasa_url
        self.sender = f"e2e-{uuid.uuid4()}"

    def __call__(self, text: str) -> list[dict]:
        return say(self.client, self.rasa_url, self.sender, text)

    def new_session(self) -> None:
        """What Rasa does after 30 idle minutes: it runs `action_session_start`."""
        url = f"{self.rasa_url}/conversations/{self.sender}/execute"
        self.client.post(url, json={"name": "action_session_start"}).raise_for_status()


@pytest.fixture
def chat(stack):
    with httpx.Client() as client:
        yield Chat(client, stack.rasa_url)


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


@pytest.fixture
def customer(stack) -> Customer:
    """A new active customer (person) with a unique e-mail, Codice Fiscale and mobile."""
    return add_customer(stack.database_url)


@pytest.fixture
def logged_in(chat, customer) -> Customer:
    """The customer, logged in to the current chat."""
    chat("voglio accedere")
    chat(customer.email)
    assert "Accesso effettuato" in said(chat(customer.password))
    return customer
