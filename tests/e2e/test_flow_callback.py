"""Help OnLine callback over REST with the real servers: the ticket is in the database."""

import pytest

from backend.operator_hours import parse_operator_hours
from tests.support.chat import said
from tests.support.fixtures import OPERATOR_HOURS

HOURS = parse_operator_hours(OPERATOR_HOURS)

pytestmark = pytest.mark.e2e


def tickets_for(uow, phone: str) -> list:
    with uow() as work:
        return work.callbacks.find(phone=phone)


def test_a_visitor_asks_to_be_called_back_on_a_landline(chat, uow):
    assert "Per quale motivo vuoi la chiamata" in said(chat("vorrei essere ricontattato"))
    assert "nome e cognome" in said(chat("non mi arriva il codice via SMS"))
    assert "A quale numero" in said(chat("mi chiamo Carla Neri"))
    assert "fisso o cellulare" in said(chat("boh"))
    reply = said(chat("0612345678"))
    assert "Quando preferisci" in reply and HOURS.describe_it() in reply
    reply = said(chat("domani mattina"))
    [ticket] = tickets_for(uow, "+390612345678")
    assert f"il numero del tuo ticket è {ticket.id}" in reply and "…78" in reply
    assert (ticket.name, ticket.topic, ticket.preferred_time, ticket.account_id) == (
        "Carla Neri",
        "non mi arriva il codice via SMS",
        "domani mattina",
        None,
    )


def test_a_logged_in_customer_is_called_back_on_the_mobile_on_file(chat, uow, logged_in):
    replies = chat("/richiedi_richiamata")
    assert "Per quale motivo vuoi la chiamata" in said(replies)
    replies = chat("Delega")
    assert "A quale numero" in said(replies)  # the name comes from the account
    [button] = [b for r in replies for b in r.get("buttons", [])]
    replies = chat(button["payload"])
    slots = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert slots == [*HOURS.slots_it(), "Qualsiasi orario"]  # the stack's ORARI_OPERATORI
    reply = said(chat(slots[1]))
    assert "ticket" in reply and f"preferenza: «{slots[1]}»" in reply
    [ticket] = tickets_for(uow, logged_in.mobile)
    assert (ticket.account_id, ticket.name, ticket.preferred_time) == (
        logged_in.id,
        "Anna Test",
        slots[1],
    )


def test_the_operator_answer_offers_the_callback(chat):
    replies = chat("voglio parlare con un operatore")
    payloads = [b["payload"] for r in replies for b in r.get("buttons", [])]
    assert "/richiedi_richiamata" in payloads


def test_a_question_mid_flow_is_answered_and_the_flow_resumes(chat, uow):
    chat("richiamatemi")
    chat("problemi con la delega")
    reply = said(chat("qual è il numero verde?"))
    assert "803.500" in reply and "nome e cognome" in reply
    assert "ho annullato" in said(chat("annulla"))
