"""Account deletion over REST: the account is gone and the chat is logged out."""

import pytest

from backend import supplies
from tests.support.chat import said
from tests.support.portal_data import add_pod

pytestmark = pytest.mark.e2e


def test_a_customer_deletes_the_account_with_the_password(chat, uow, logged_in, stack):
    pod = f"IT001E{logged_in.id % 10**8:08d}"
    add_pod(uow(), pod, logged_in.fiscal_code, "residential")
    supplies.link_supply(uow(), logged_in.id, pod)
    reply = said(chat("cancella il mio account"))
    assert "definitiva" in reply and f"alle tue forniture: 1, {pod}" in reply
    assert "forniture di energia elettrica e i relativi contratti non cambiano" in reply
    assert "non è stato eliminato" in said(chat("Sbagliata#1"))
    with uow() as work:
        assert work.accounts.get(logged_in.id) is not None
    assert "profilo è stato eliminato" in said(chat(logged_in.password))
    with uow() as work:
        assert work.accounts.get(logged_in.id) is None
        assert work.supplies.find(account_id=logged_in.id) == []
    assert "Non hai effettuato l'accesso" in said(chat("esci"))
    assert not stack.tracker_holds(logged_in.password)


def test_the_faq_answer_offers_deletion_and_annulla_keeps_the_account(chat, uow, customer):
    assert "vuoi eliminare il tuo profilo adesso" in said(
        chat("come faccio a cancellare la mia utenza?")
    )
    assert "prima accedere" in said(chat("sì"))
    chat(customer.email)
    reply = said(chat(customer.password))
    assert "Accesso effettuato" in reply and "definitiva" in reply
    assert "ho annullato" in said(chat("annulla"))
    with uow() as work:
        assert work.accounts.get(customer.id) is not None
