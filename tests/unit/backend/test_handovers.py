"""The operators' hand-over queue against the fake backend."""

import pytest
from backend_fakes import add_active_account

from backend import callbacks, handovers, practices, staff
from backend.errors import InvalidInput, NotAllowed, NotFound
from tests.support.portal_data import add_practice, uploaded

COMPANY = "01114601006"


@pytest.fixture
def anna(uow) -> int:
    return staff.add_staff(uow, "anna", "agent", "Console#2024")


def callback(uow, phone="333 1234567", account_id=None) -> int:
    return callbacks.request_callback(
        uow, "Mario Rossi", phone, "Problema OTP", "", account_id, sender_id="web-42"
    )


def transfer(uow, clock) -> int:
    old = add_active_account(uow, "old@gmail.com", "RSSMRA85T10A562S")
    new = add_active_account(uow, "info@soleverde.it", COMPANY, "Sole Verde")
    number = add_practice(uow, old, "Sole Verde S.r.l.", COMPANY)
    clock.advance(minutes=1)
    return practices.request_transfer(uow, new, COMPANY, [number], [uploaded(uow)])


def test_callbacks_and_transfers_are_one_queue_oldest_first(uow, clock, anna):
    first = callback(uow)
    clock.advance(minutes=5)
    second = transfer(uow, clock)
    tickets = handovers.queue(uow)
    assert [(t.kind, t.id) for t in tickets] == [("richiamata", first), ("pratica", second)]
    call, move = tickets
    assert (call.customer, call.contact, call.sender_id) == (
        "Mario Rossi",
        "+393331234567",
        "web-42",
    )
    assert call.summary == "Problema OTP (orario preferito: qualsiasi orario)"
    assert (move.customer, move.contact) == ("Sole Verde", "info@soleverde.it")
    assert move.summary.startswith("Spostamento delle pratiche PC-")
    assert (call.status, call.status_it, call.closed) == ("open", "da prendere in carico", False)


def test_taking_in_charge_and_handing_over_to_a_colleague(uow, anna):
    bruno = staff.add_staff(uow, "bruno", "supervisor", "Console#2024")
    ticket = callback(uow)
    handovers.assign(uow, "richiamata", ticket, anna)
    assert handovers.get_ticket(uow, "richiamata", ticket).assigned_to == "anna"
    assert handovers.queue(uow, assigned_to=bruno) == []
    handovers.assign(uow, "richiamata", ticket, bruno)
    [mine] = handovers.queue(uow, assigned_to=bruno)
    assert (mine.assigned_to, mine.status_it) == ("bruno", "presa in carico")
    with pytest.raises(NotFound, match="Operatore"):
        handovers.assign(uow, "richiamata", ticket, 99)


def test_internal_notes_are_kept_in_order_with_their_author(uow, clock, anna):
    ticket = callback(uow)
    handovers.add_note(uow, "richiamata", ticket, anna, "  Occupato, riprovo alle 15  ")
    clock.advance(hours=1)
    handovers.add_note(uow, "richiamata", ticket, anna, "Nessuna risposta")
    notes = handovers.get_ticket(uow, "richiamata", ticket).notes
    assert [(n.author, n.text) for n in notes] == [
        ("anna", "Occupato, riprovo alle 15"),
        ("anna", "Nessuna risposta"),
    ]
    assert uow.messages_to("+393331234567") == []  # internal: the customer hears nothing
    for text in (" ", "x" * 2001):
        with pytest.raises(InvalidInput, match="nota"):
            handovers.add_note(uow, "richiamata", ticket, anna, text)


def test_closing_an_anonymous_callback_texts_the_mobile(uow, anna):
    ticket = callback(uow)
    handovers.close(uow, "richiamata", ticket, anna, "unreachable", "Ci riproviamo domani.")
    [sms] = uow.messages_to("+393331234567")
    assert sms.channel == "sms" and f"n. {ticket}" in sms.body
    assert "non siamo riusciti a raggiungerti" in sms.body and "Ci riproviamo domani." in sms.body
    closed = handovers.get_ticket(uow, "richiamata", ticket)
    assert (closed.status, closed.status_it, closed.closed) == (
        "unreachable",
        "cliente non raggiungibile",
        True,
    )
    assert handovers.queue(uow) == [] and handovers.queue(uow, only_open=False) == [closed]
    with pytest.raises(NotAllowed, match="già chiusa"):
        handovers.close(uow, "richiamata", ticket, anna, "done", "Di nuovo")
    with pytest.raises(NotAllowed, match="già chiusa"):
        handovers.assign(uow, "richiamata", ticket, anna)


def test_an_anonymous_caller_on_a_landline_gets_no_sms(uow, anna):
    ticket = callback(uow, phone="06 1234567")
    handovers.close(uow, "richiamata", ticket, anna, "done", "Risolto al telefono.")
    assert uow.outbox.find() == []
    assert handovers.get_ticket(uow, "richiamata", ticket).status_it == "cliente contattato"


def test_a_customer_s_callback_closes_by_e_mail_and_in_the_inbox(uow, anna):
    account = add_active_account(uow, "mario@gmail.com", "RSSMRA85T10A562S")
    ticket = callback(uow, account_id=account)
    handovers.close(uow, "richiamata", ticket, anna, "done", "Le ho spiegato come fare.")
    [mail] = uow.messages_to("mario@gmail.com")
    assert mail.subject == f"La tua richiesta di ricontatto n. {ticket}"
    assert "Gentile Mario Rossi" in mail.body and "Le ho spiegato come fare." in mail.body
    [received] = practices.practice_status(uow, account)[1]
    assert (received.subject, received.body) == (mail.subject, mail.body)
    assert uow.messages_to("+393331234567") == []


def test_closing_a_transfer_decides_it_and_notifies(uow, clock, anna):
    ticket = transfer(uow, clock)
    handovers.close(uow, "pratica", ticket, anna, "rejected", "Manca la procura.")
    [mail] = uow.messages_to("info@soleverde.it")
    assert mail.subject == "Spostamento pratiche non accolto" and "Manca la procura." in mail.body
    assert handovers.get_ticket(uow, "pratica", ticket).status_it == "spostamento respinto"
    [event] = uow.audit.find(event="practice_transfer_rejected")
    assert event.details["staff_id"] == anna
    with pytest.raises(NotAllowed):
        handovers.close(uow, "pratica", ticket, anna, "approved", "Ripensato")


@pytest.mark.parametrize(
    ("kind", "outcome", "message", "error"),
    [
        ("richiamata", "approved", "Ok", InvalidInput),
        ("pratica", "done", "Ok", InvalidInput),
        ("richiamata", "done", "   ", InvalidInput),
        ("richiamata", "done", "x" * 2001, InvalidInput),
        ("reclamo", "done", "Ok", NotFound),
    ],
)
def test_a_close_with_a_wrong_outcome_or_message_changes_nothing(
    uow, anna, kind, outcome, message, error
):
    ticket = callback(uow)
    with pytest.raises(error):
        handovers.close(uow, kind, ticket, anna, outcome, message)
    assert handovers.get_ticket(uow, "richiamata", ticket).closed is False
    assert uow.outbox.find() == []


def test_unknown_tickets_are_not_found(uow, anna):
    for kind in ("richiamata", "pratica", "reclamo"):
        with pytest.raises(NotFound, match="Richiesta non trovata"):
            handovers.get_ticket(uow, kind, 99)
    with pytest.raises(NotFound):
        handovers.close(uow, "pratica", 99, anna, "approved", "Ok")


def test_every_change_is_audited_with_the_operator(uow, anna):
    ticket = callback(uow)
    handovers.assign(uow, "richiamata", ticket, anna)
    handovers.add_note(uow, "richiamata", ticket, anna, "Nota riservata")
    handovers.close(uow, "richiamata", ticket, anna, "done", "Fatto")
    events = [e for e in uow.audit.find() if e.event.startswith("handover_")]
    assert [e.event for e in events] == [
        "handover_assigned",
        "handover_note_added",
        "handover_closed",
    ]
    assert all(e.details["staff_id"] == anna and e.details["ticket_id"] == ticket for e in events)
    assert all("Nota riservata" not in str(e.details) for e in events)
