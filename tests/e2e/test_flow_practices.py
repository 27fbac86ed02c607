"""Practice transfer over REST: a new legal representative requests it, then asks its status.

The filled-in document arrives as the channels send uploads: a message whose metadata is
``{"documento": "<reference>"}``.
"""

import random
import uuid

import httpx
import pytest
from stdnum import luhn

from backend import documents, practices
from backend.accounts import add_account
from backend.models import AccountStatus
from backend.passwords import hash_password
from backend.validators import validate_holder
from tests.tools.stack import said

pytestmark = pytest.mark.e2e
PASSWORD = "Sportello#2024"
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def company(uow):
    """A company registered by its new representative, with practices on the old one's account."""
    digits = f"{random.randrange(10**6, 10**7):07d}001"  # 001: a valid province office
    vat, tag = digits + luhn.calc_check_digit(digits), uuid.uuid4().hex[:6]
    work = uow()
    with work:
        now = work.now()
        account = add_account(
            work,
            validate_holder(vat, company_name="Sole Verde S.r.l."),
            f"legale.{tag}@example.it",
            "+393471234567",
            status=AccountStatus.ACTIVE,
            mobile_verified_at=now,
            email_verified_at=now,
            clauses_accepted_at=now,
            password_hash=hash_password(work.settings, PASSWORD),
        )
        work.commit()
        account_id, email = account.id, account.email
    numbers = [
        practices.open_practice(uow(), None, "Sole Verde S.r.l.", vat, f"FV {kw} kW")
        for kw in (20, 50)
    ]
    return account_id, email, vat, numbers


@pytest.fixture
def talk(stack):
    """A conversation whose messages can carry metadata, as an upload does."""
    sender = f"e2e-{uuid.uuid4()}"
    with httpx.Client() as client:

        def send(text: str, metadata: dict | None = None) -> str:
            body = {"sender": sender, "message": text, "metadata": metadata or {}}
            url = f"{stack.rasa_url}/webhooks/rest/webhook"
            response = client.post(url, json=body, timeout=30)
            response.raise_for_status()
            return said(response.json())

        yield send


def test_a_new_representative_requests_the_transfer_and_asks_its_status(talk, uow, company):
    account_id, email, vat, numbers = company
    assert "prima accedere" in talk("voglio richiedere lo spostamento delle pratiche")
    talk(email)
    assert "Di quale richiedente" in talk(PASSWORD)
    reply = talk(vat)
    assert f"1. {numbers[0]} – FV 20 kW" in reply and f"2. {numbers[1]}" in reply
    assert "allegati" in talk("tutte")
    assert "Non ho ricevuto nessun documento" in talk("te lo mando dopo")
    reply = talk("modulo compilato", {"documento": documents.store_upload(uow(), PDF)})
    assert "Documento ricevuto" in reply and "Inoltro la richiesta" in reply
    reply = talk("sì")
    with uow() as work:
        [transfer] = work.transfers.find(account_id=account_id)
        assert transfer.status == "pending" and len(transfer.practice_ids) == 2
        [document] = work.documents.find(transfer_id=transfer.id)
        assert document.account_id == account_id
    assert f"Richiesta di spostamento n. {transfer.id} inoltrata" in reply
    reply = talk("a che punto è la mia richiesta?")
    assert f"n. {transfer.id}" in reply and "in lavorazione" in reply
    practices.decide_transfer(uow(), transfer.id, approve=True, note="Documenti in regola")
    reply = talk("ci sono novità sulla mia richiesta?")
    assert "completata" in reply and "Spostamento pratiche completato" in reply


def test_the_faq_answer_offers_the_transfer_and_no_sends_nothing(talk, uow, company):
    account_id, email, vat, numbers = company
    reply = talk("sono il nuovo rappresentante legale, come sposto le pratiche sul mio account?")
    assert "Vuoi richiedere lo spostamento qui in chat?" in reply
    talk("sì")
    talk(email)
    talk(PASSWORD)
    talk("Sole Verde S.r.l.")
    talk("la 2")
    reply = talk("ecco il modulo", {"documento": documents.store_upload(uow(), PDF)})
    assert numbers[1] in reply and numbers[0] not in reply
    assert "non ho inoltrato" in talk("no")
    with uow() as work:
        assert work.transfers.find(account_id=account_id) == []


def test_someone_without_company_practices_is_told_so(chat, logged_in):
    reply = said(chat("avvia il cambio legale rappresentante"))
    assert "Non risultano pratiche da spostare" in reply
