"""The real Rasa server and action server, started once for the end-to-end tests."""

import json
import re
import uuid
from dataclasses import dataclass

import httpx
import pytest
import yaml

from backend.accounts import add_account
from backend.bootstrap import unit_of_work
from backend.models import AccountStatus
from backend.passwords import hash_password
from backend.settings import Settings
from backend.validators import validate_holder
from tests.tools import ROOT
from tests.tools.stack import Stack, said, say
from tests.unit.backend.backend_fakes import make_fiscal_code


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


@dataclass(frozen=True)
class Customer:
    """A registered, active customer in the stack's database."""

    id: int
    email: str
    fiscal_code: str
    mobile: str
    password: str = "Sportello#2024"


@pytest.fixture
def customer(uow) -> Customer:
    """A new active customer (person) with a unique e-mail, Codice Fiscale and mobile."""
    tag = uuid.uuid4().hex[:6]
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in tag)
    fiscal_code = make_fiscal_code(f"{letters}85M41F205")
    email, mobile = f"cliente.{tag}@example.it", f"+39347{int(tag, 16) % 10**7:07d}"
    work = uow()
    with work:
        holder = validate_holder(fiscal_code, first_name="Anna", last_name="Test")
        now = work.now()
        account = add_account(
            work,
            holder,
            email,
            mobile,
            status=AccountStatus.ACTIVE,
            mobile_verified_at=now,
            email_verified_at=now,
            clauses_accepted_at=now,
            password_hash=hash_password(work.settings, Customer.password),
        )
        work.commit()
        return Customer(account.id, email, fiscal_code, mobile)


@pytest.fixture
def logged_in(chat, customer) -> Customer:
    """The customer, logged in to the current chat."""
    chat("voglio accedere")
    chat(customer.email)
    assert "Accesso effettuato" in said(chat(customer.password))
    return customer
