"""Fixtures of the suites over a channel (e2e, browser, Telegram): one running stack for all.

Rasa takes ~20 s and ~600 MB to start, so the stack starts once, at the first test that asks
for it (never in `make test-fast`), and stops at the end of the session. The tests share its
databases and its tracker store: each one makes its own customers, senders and Telegram
users, and reads back only what it made.
"""

import httpx
import pytest

from tests.support.chat import Chat
from tests.support.customers import Customer, add_customer
from tests.support.stack import Stack
from tests.support.widget import PORTAL_KEY, OtherSite

STACK_CLIENT_LIMIT = "200/minute"


@pytest.fixture(scope="session")
def other_site():
    """Another site on loopback, the one origin besides its own the web app lets embed the
    widget (``WIDGET_ORIGINS``)."""
    site = OtherSite().start()
    yield site
    site.stop()


# Operators at work whenever the suite runs, in two windows as offices have them: the live
# hand-over is offered when one of them is «Disponibile» (tests/browser/test_live_round_trip.py).
OPERATOR_HOURS = "lun-ven 0-24, sab-dom 0-24"


@pytest.fixture(scope="session")
def stack(tmp_path_factory, other_site) -> Stack:
    """Rasa, the action server and the web app; the actions and the web app share the
    portal's key, so that a portal token makes the chat start logged in. The web app trusts
    X-Forwarded-For from loopback (each `Chat` is a client address of its own); the browser
    suite's every page comes from 127.0.0.1, hence its higher limits."""
    env = {
        "PORTAL_JWT_KEY": PORTAL_KEY,
        "WIDGET_ORIGINS": other_site.url,
        "TRUSTED_PROXIES": "127.0.0.1",
        "RATE_LIMIT_CHAT_CLIENT": STACK_CLIENT_LIMIT,
        "RATE_LIMIT_CHAT_CONVERSATION": "60/minute",
        "ORARI_OPERATORI": OPERATOR_HOURS,
    }
    running = Stack(tmp_path_factory.mktemp("stack"), env=env)
    try:
        yield running.start(web=True)
    finally:
        running.stop()


@pytest.fixture
def uow(stack):
    """Units of work on the database the action server writes to."""
    return stack.unit_of_work


@pytest.fixture
def code_for(stack):
    """The code in the latest e-mail or SMS to a recipient (``sportello outbox``)."""
    return stack.code_for


@pytest.fixture
def new_customer(stack):
    """Makes active customers (persons) in the stack's database, as many as a test needs."""
    return lambda first_name="Anna": add_customer(stack.database_url, first_name)


@pytest.fixture
def customer(new_customer) -> Customer:
    """A new active customer (person) with a unique e-mail, Codice Fiscale and mobile."""
    return new_customer()


@pytest.fixture
def open_chat(stack):
    """Opens conversations through the web app: ``open_chat()`` gives a `Chat`,
    ``open_chat(TextChat)`` one that answers with text."""
    with httpx.Client() as client:
        yield lambda kind=Chat: kind(client, stack.web_url, stack.rasa_url)


@pytest.fixture
def chat(open_chat) -> Chat:
    return open_chat()


def pytest_collection_modifyitems(items):
    """A test on the running stack is an end-to-end test (`make test-fast` leaves it out),
    whether or not its module says so."""
    for item in items:
        if "stack" in item.fixturenames:
            item.add_marker(pytest.mark.e2e)
