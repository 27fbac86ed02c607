"""Delega over REST with the real servers: give, accept as the delegate, manage, refuse.

The identity document reaches the chat as a channel would send it: the bytes are stored
through the backend (``documents.store_upload``) and the message carries the reference in
its metadata.
"""

import pytest

from backend import documents
from backend.models import Delegation, DelegationStatus
from tests.support.chat import RestTextChat, TextChat
from tests.support.customers import Customer

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.7\n% carta di identita\n" + b"0" * 200


@pytest.fixture
def new_chat(open_chat):
    return lambda: open_chat(TextChat)


def delegations_of(uow, delegator: Customer) -> list[Delegation]:
    with uow() as work:
        return work.delegations.find(delegator_id=delegator.id)


def status_of(uow, delegation_id: int) -> str:
    with uow() as work:
        return work.delegations.get(delegation_id).status


def until_duration(chat: TextChat, uow, delegate: Customer) -> None:
    assert "clausole legali" in chat("voglio attivare una delega")
    assert "e-mail con cui la persona" in chat("accetto")
    assert "graffetta" in chat(f"il delegato è {delegate.email}")
    reference = documents.store_upload(uow(), PDF)
    reply = chat("Documento allegato: carta.pdf", metadata={"documento": reference})
    assert "Documento ricevuto" in reply and "Per quanto tempo" in reply


def manage(chat: TextChat, delegation_id: int, operation: str, answer: str = "sì") -> str:
    assert f"n. {delegation_id}, data a" in chat("le mie deleghe")
    assert "Cosa vuoi fare" in chat(f"delega {delegation_id}")
    assert "Confermi" in chat(operation)
    return chat(answer)


def test_a_delega_is_given_accepted_in_the_chat_and_managed(new_chat, new_customer, uow, stack):
    anna, giulia = new_customer("Anna"), new_customer("Giulia")
    chat = new_chat()
    chat.login(anna)
    until_duration(chat, uow, giulia)
    summary = chat("6 mesi")
    assert "Giulia Test" in summary and "180 giorni" in summary
    assert "in attesa di accettazione" in chat("sì")
    [delegation] = delegations_of(uow, anna)
    assert (delegation.delegate_id, delegation.duration_days) == (giulia.id, 180)
    assert delegation.status == DelegationStatus.AWAITING_ACCEPTANCE
    with uow() as work:
        [document] = work.documents.find(delegation_id=delegation.id)
        assert (document.account_id, document.media_type) == (anna.id, "application/pdf")
    request = stack.messages_to(giulia.email)[-1]
    assert request.subject == "Richiesta di delega" and "Anna Test" in request.body

    delegate_chat = new_chat()
    delegate_chat.login(giulia)
    listed = delegate_chat("le mie deleghe")
    assert f"n. {delegation.id}, ricevuta da Anna Test, 180 giorni: in attesa" in listed
    assert "stato: in attesa di accettazione" in delegate_chat(f"delega {delegation.id}")
    assert "Confermi di voler accettare" in delegate_chat("accetta")
    assert "ora è attiva" in delegate_chat("sì")
    assert status_of(uow, delegation.id) == DelegationStatus.ACTIVE

    assert "non ho cambiato nulla" in manage(chat, delegation.id, "revoca", "no")
    assert status_of(uow, delegation.id) == DelegationStatus.ACTIVE
    listed = chat("le mie deleghe")
    assert f"n. {delegation.id}, data a Giulia Test, 180 giorni: attiva fino al" in listed
    chat("annulla")
    assert "ora è sospesa" in manage(chat, delegation.id, "sospendi")
    assert status_of(uow, delegation.id) == DelegationStatus.SUSPENDED
    assert "ora è attiva" in manage(chat, delegation.id, "riattiva")
    assert status_of(uow, delegation.id) == DelegationStatus.ACTIVE
    assert "ora è revocata" in manage(chat, delegation.id, "revoca")
    assert status_of(uow, delegation.id) == DelegationStatus.REVOKED
    mails = stack.messages_to(anna.email)
    assert sum("revocata" in mail.body for mail in mails) == 1
    assert f"n. {delegation.id}, data a Giulia Test, 180 giorni: revocata" in chat("le mie deleghe")
    assert "non ci sono operazioni possibili" in chat(f"delega {delegation.id}")


def test_the_duration_can_be_changed_within_a_year(new_chat, new_customer, uow):
    anna, giulia = new_customer("Anna"), new_customer("Giulia")
    chat = new_chat()
    chat.login(anna)
    until_duration(chat, uow, giulia)
    chat("3 mesi")
    chat("sì")
    [delegation] = delegations_of(uow, anna)
    chat("le mie deleghe")
    chat(f"delega {delegation.id}")
    assert "nuova durata" in chat("modifica la durata")
    assert "massimo di un anno" in chat("18 mesi")
    assert "Confermi di portare a 365 giorni" in chat("un anno")
    assert "365 giorni" in chat("sì")
    assert delegations_of(uow, anna)[0].duration_days == 365


def test_a_duration_over_a_year_is_refused_with_the_reason(new_chat, new_customer, uow):
    anna, giulia = new_customer("Anna"), new_customer("Giulia")
    chat = new_chat()
    chat.login(anna)
    until_duration(chat, uow, giulia)
    reply = chat("due anni")
    assert "La durata della delega va da 1 giorno a un massimo di un anno." in reply
    assert "ho annullato" in chat("annulla")
    assert delegations_of(uow, anna) == []


def test_an_unregistered_delegate_is_refused(new_chat, new_customer, uow):
    anna = new_customer("Anna")
    chat = new_chat()
    chat.login(anna)
    chat("attiva una delega")
    chat("accetto")
    reply = chat("nessuno.qui@example.it")
    assert "Nessun utente registrato con questa e-mail" in reply
    assert delegations_of(uow, anna) == []


def test_over_rest_the_document_cannot_be_typed(open_chat, new_customer, uow):
    anna, giulia = new_customer("Anna"), new_customer("Giulia")
    chat = open_chat(RestTextChat)
    chat.login(anna)
    chat("voglio attivare una delega")
    chat("accetto")
    chat(giulia.email)
    reply = chat("te la mando dopo")
    assert "non posso ricevere file" in reply and "Telegram" in reply and "803.500" in reply
    assert "Non c'è nessuna operazione in corso" in chat("annulla")
    assert delegations_of(uow, anna) == []


def test_logged_out_the_delega_starts_with_the_login(new_chat, new_customer, uow):
    anna = new_customer("Anna")
    chat = new_chat()
    assert "devi prima accedere" in chat("le mie deleghe")
    chat(anna.email)
    reply = chat(anna.password)
    assert "Accesso effettuato" in reply and "Non hai deleghe" in reply
