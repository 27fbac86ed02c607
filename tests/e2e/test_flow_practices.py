"""Practice transfer over REST: a new legal representative requests it, then asks its status.

The filled-in documents arrive as the channels send uploads, one message each whose metadata
is ``{"documento": "<reference>"}``, until the customer says «fatto».
"""

import pytest

from backend import documents, practices
from tests.support.chat import RestTextChat, said
from tests.support.customers import add_company

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def company(stack):
    return add_company(stack.database_url)


@pytest.fixture
def talk(open_chat):
    """A conversation whose messages can carry metadata, as an upload does, over a channel
    that says nothing of itself (the bot does not point it to the widget's button)."""
    return open_chat(RestTextChat)


def test_a_new_representative_requests_the_transfer_and_asks_its_status(talk, uow, company):
    numbers = company.practice_numbers
    assert "prima accedere" in talk("voglio richiedere lo spostamento delle pratiche")
    talk(company.email)
    assert "Di quale richiedente" in talk(company.password)
    reply = talk(company.vat)
    assert f"1. {numbers[0]} – FV 20 kW" in reply and f"2. {numbers[1]}" in reply
    assert "allegati" in talk("tutte")
    assert "Non ho ricevuto nessun documento" in talk("te lo mando dopo")
    reply = talk("modulo compilato", {"documento": documents.store_upload(uow(), PDF)})
    assert "Documento ricevuto: finora ne hai allegati 1." in reply and "«fatto»" in reply
    reply = talk("dichiarazione", {"documento": documents.store_upload(uow(), PDF)})
    assert "finora ne hai allegati 2" in reply
    reply = talk("fatto")
    assert "con i 2 documenti che hai caricato" in reply and "Inoltro la richiesta" in reply
    reply = talk("sì")
    with uow() as work:
        [transfer] = work.transfers.find(account_id=company.id)
        assert transfer.status == "pending" and len(transfer.practice_ids) == 2
        claimed = work.documents.find(transfer_id=transfer.id)
        assert [d.account_id for d in claimed] == [company.id, company.id]
    assert f"Richiesta di spostamento n. {transfer.id} inoltrata" in reply
    reply = talk("a che punto è la mia richiesta?")
    assert f"n. {transfer.id}" in reply and "in lavorazione" in reply
    practices.decide_transfer(uow(), transfer.id, approve=True, note="Documenti in regola")
    reply = talk("ci sono novità sulla mia richiesta?")
    assert "completata" in reply and "Spostamento pratiche completato" in reply


def test_the_faq_answer_offers_the_transfer_and_no_sends_nothing(talk, uow, company):
    numbers = company.practice_numbers
    reply = talk("sono il nuovo rappresentante legale, come sposto le pratiche sul mio account?")
    assert "Vuoi richiedere lo spostamento qui in chat?" in reply
    talk("sì")
    talk(company.email)
    talk(company.password)
    talk("Sole Verde S.r.l.")
    talk("la 2")
    talk("ecco il modulo", {"documento": documents.store_upload(uow(), PDF)})
    reply = talk("ho finito")
    assert numbers[1] in reply and numbers[0] not in reply
    assert "non ho inoltrato" in talk("no")
    with uow() as work:
        assert work.transfers.find(account_id=company.id) == []


def test_someone_without_company_practices_is_told_so(chat, logged_in):
    reply = said(chat("avvia il cambio legale rappresentante"))
    assert "Non risultano pratiche da spostare" in reply
