"""POD linking and the supplies list over REST, with PODs registered on the stack database."""

import uuid

import pytest

from tests.support.chat import said
from tests.support.portal_data import add_pod

pytestmark = pytest.mark.e2e


def new_pod() -> str:
    return f"IT001E{uuid.uuid4().int % 10**8:08d}"


def test_a_customer_links_their_own_pod_and_sees_its_services(chat, uow, logged_in):
    pod = new_pod()
    add_pod(uow(), pod, logged_in.fiscal_code, "producer", "Via Roma 1")
    assert "codice POD" in said(chat("voglio collegare un pod"))
    spaced = f"{pod[:6]} {pod[6:10]} {pod[10:]}".lower()
    reply = said(chat(f"ecco: {spaced}"))
    assert "ho collegato il POD" in reply and "Visualizzazione delle letture" in reply
    with uow() as work:
        assert [s.pod_code for s in work.supplies.find(account_id=logged_in.id)] == [pod]
    reply = said(chat("mostrami le mie forniture"))
    assert f"POD {pod} – Via Roma 1" in reply and "Richiesta di una nuova connessione" in reply


def test_someone_else_s_pod_is_refused(chat, uow, logged_in):
    pod = new_pod()
    add_pod(uow(), pod, "BNCGLI90A41H501E", "residential")
    chat("associa un pod alla mia utenza")
    assert "non risulta associato" in said(chat(pod))
    with uow() as work:
        assert work.supplies.find(account_id=logged_in.id) == []
    assert "ho annullato" in said(chat("annulla"))


def test_the_supplies_list_asks_to_log_in_first(chat, customer):
    assert "prima accedere" in said(chat("quali forniture ho?"))
    chat(customer.email)
    reply = said(chat(customer.password))
    assert "Accesso effettuato" in reply and "Non hai ancora forniture" in reply
