"""The real Rasa server and action server, started once for the end-to-end tests."""

import json
import re

import httpx
import pytest
import yaml

from actions.configuration import quoted_rules
from backend.bootstrap import unit_of_work
from backend.settings import Settings
from tests.tools import ROOT
from tests.tools.customers import Customer, add_customer
from tests.tools.stack import Chat, Stack, said


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def responses() -> dict[str, list[str]]:
    """The texts of every response in the domain, by response name, with the rules they
    quote filled in as the session start does (the stack runs on this process's settings)."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    rules = {event["name"]: str(event["value"]) for event in quoted_rules(Settings())}

    def fill(text: str) -> str:
        return re.sub(r"{(\w+)}", lambda slot: rules.get(slot[1], slot[0]), text)

    return {
        name: [fill(variation["text"]) for variation in variations]
        for name, variations in domain["responses"].items()
    }


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
