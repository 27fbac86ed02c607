"""Fixtures of the REST conversations (the running stack is tests/support/fixtures.py)."""

import pytest
import yaml

from tests.support import ROOT
from tests.support.customers import Customer


@pytest.fixture(scope="session")
def responses() -> dict[str, list[str]]:
    """The texts of every response in the domain, by response name."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return {
        name: [variation["text"] for variation in variations]
        for name, variations in domain["responses"].items()
    }


@pytest.fixture
def logged_in(chat, customer) -> Customer:
    """The customer, logged in to the current chat."""
    chat.login(customer)
    return customer
