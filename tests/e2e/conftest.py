"""Fixtures of the REST conversations (the running stack is tests/support/fixtures.py)."""

import re

import pytest
import yaml

from actions.configuration import quoted_rules
from backend.settings import Settings
from tests.support import ROOT
from tests.support.customers import Customer


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
def logged_in(chat, customer) -> Customer:
    """The customer, logged in to the current chat."""
    chat.login(customer)
    return customer
