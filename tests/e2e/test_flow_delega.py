"""Delega over REST with the real servers: give, accept as the delegate, manage, refuse, and
act for the delegator.

The identity document reaches the chat as a channel would send it: the bytes are stored
through the backend (``documents.store_upload``) and the message carries the reference in
its metadata.
"""

import re

import pytest

from backend import delegations, demo, documents, supplies
from backend.entities import Delegation, DelegationStatus
from tests.support.chat import RestTextChat, TextChat
from tests.support.customers import Customer
from tests.support.portal_data import add_pod, uploaded

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
    # No code to redeem: the e-mail says where to answer, logged in.
    assert "«le mie deleghe»" in request.body and not re.search(r"\d{6}", request.body)

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


# ---- acting for the delegator


def log_in(chat: TextChat, email: str, password: str) -> None:
    chat("voglio accedere")
    chat(email)
    assert "Accesso effettuato" in chat(password)


def acted_for(uow, delegator_id: int) -> list[str]:
    with uow() as work:
        return [
            e.details["action"] for e in work.audit.find(event="acted_for", account_id=delegator_id)
        ]


def test_the_demo_delegate_acts_for_mario_and_sees_his_supplies(new_chat, uow, stack):
    data = demo.load_demo_data(uow())  # what `sportello demo-data` loads
    mario = data.accounts["mario.rossi@example.it"]
    giulia = new_chat()
    log_in(giulia, "giulia.bianchi@example.it", data.password)
    chosen = giulia("voglio operare per conto di Mario Rossi")
    assert "Ora operi per conto di Mario Rossi" in chosen and "«torna a me»" in chosen
    listed = giulia("/mie_forniture")
    assert listed.startswith("Le forniture di Mario Rossi, per suo conto:")
    assert "IT001E12345678 – Via Roma 1" in listed and "IT001E87654321" not in listed
    assert acted_for(uow, mario)[-2:] == ["acting_started", "supplies_viewed"]
    # Nothing else of his: the deletion is refused, both accounts stay.
    refused = giulia("cancella il mio account")
    assert "per conto di Mario Rossi" in refused and "«torna a me»" in refused
    assert "non operi più per conto di Mario Rossi" in giulia("torna a me")
    own = giulia("le mie forniture")
    assert own.startswith("Le tue forniture:") and "IT001E87654321" in own
    assert "IT001E12345678" not in own
    with uow() as work:
        assert work.accounts.get(mario) is not None


def test_an_account_without_a_delega_never_sees_mario_s_supplies(new_chat, new_customer, uow):
    data = demo.load_demo_data(uow())
    anna = new_customer("Anna")
    chat = new_chat()
    chat.login(anna)
    assert "Non risultano deleghe attive a tuo favore" in chat("per conto di Mario Rossi")
    reply = chat("/mie_forniture")
    assert "IT001E12345678" not in reply and "Non hai ancora forniture" in reply
    mario = data.accounts["mario.rossi@example.it"]
    with uow() as work:
        mine = [
            e for e in work.audit.find(event="acted_for") if e.details["delegate_id"] == anna.id
        ]
    assert mine == [] and mario


def test_a_pod_linked_for_the_delegator_then_the_suspension_ends_it(
    new_chat, new_customer, uow, stack
):
    anna, giulia = new_customer("Anna"), new_customer("Giulia")
    delegation = delegations.request_delegation(uow(), anna.id, giulia.email, 30, uploaded(uow()))
    delegations.respond_logged_in(uow(), giulia.id, delegation, True)
    pod = f"IT001E{anna.id % 10**8:08d}"
    add_pod(uow(), pod, anna.fiscal_code, "residential", "Via Verdi 3")
    chat = new_chat()
    chat.login(giulia)
    assert "Ora operi per conto di Anna Test" in chat("vorrei vedere le forniture di mia madre")
    assert "Operi per conto di Anna Test" in chat("/collega_pod")
    assert "ho collegato il POD per conto di Anna Test" in chat(pod)
    with uow() as work:
        assert [s.pod_code for s in work.supplies.find(account_id=anna.id)] == [pod]
        assert work.supplies.find(account_id=giulia.id) == []
    notice = stack.messages_to(anna.email)[-1]
    assert notice.subject == "Un'operazione del tuo delegato" and pod in notice.body
    delegations.suspend_delegation(uow(), anna.id, delegation)
    ended = chat("/mie_forniture")
    assert "La delega di Anna Test non è più attiva" in ended and pod not in ended
    assert "Non hai ancora forniture" in chat("/mie_forniture")
    assert [v.pod for v in supplies.list_supplies(uow(), anna.id)] == [pod]
