"""The staff console's backend on SQLite and PostgreSQL: login, sessions, queue, training."""

import pytest
import yaml
from sqlalchemy import inspect, text
from test_db_services import SOLE_VERDE, count, practice_numbers_of

from backend import callbacks, db, handovers, practices, staff, training
from backend.entities import Communication, OutboxMessage, StaffSessionRecord
from backend.errors import Throttled
from tests.support.portal_data import add_practice, uploaded
from tests.support.registration import register

PASSWORD = "Console#2024"
INTENTS = {"inform", "affirm"}


@pytest.fixture
def anna(uow_factory) -> int:
    return staff.add_staff(uow_factory(), "anna", "agent", PASSWORD)


@pytest.mark.parametrize("username", ["anna", "sconosciuto"])
def test_login_throttling_persists_for_any_username(uow_factory, clock, anna, username):
    for _ in range(5):
        assert staff.authenticate_staff(uow_factory(), username, "sbagliata") is None
    with pytest.raises(Throttled, match="riprova tra 15 minuti"):
        staff.authenticate_staff(uow_factory(), username, PASSWORD)
    clock.advance(minutes=15)
    user = staff.authenticate_staff(uow_factory(), username, PASSWORD)
    assert (user is not None) == (username == "anna")


def test_sessions_live_while_used_and_end_on_logout(database, uow_factory, clock, anna):
    token, csrf = staff.open_session(uow_factory(), anna)
    clock.advance(minutes=25)
    assert staff.session_for(uow_factory(), token).csrf_token == csrf
    clock.advance(minutes=25)  # 50 min after opening, 25 after the last request
    assert staff.session_for(uow_factory(), token).username == "anna"
    staff.close_session(uow_factory(), token)
    assert staff.session_for(uow_factory(), token) is None
    assert count(database, StaffSessionRecord) == 0


def test_an_idle_session_expires_on_the_configured_minutes(uow_factory, clock, anna):
    token, _ = staff.open_session(uow_factory(), anna)
    clock.advance(minutes=11)
    assert staff.session_for(uow_factory(console_idle_minutes=10), token) is None
    assert staff.session_for(uow_factory(), token) is None  # it is gone, not just refused


def test_a_callback_from_the_chat_worked_to_the_end(database, uow_factory, clock, anna):
    account = register(uow_factory(), clock)
    ticket = callbacks.request_callback(
        uow_factory(), "Mario Rossi", "333 1234567", "OTP", "mattina", account, sender_id="tg-7"
    )
    handovers.assign(uow_factory(), "richiamata", ticket, anna)
    handovers.add_note(uow_factory(), "richiamata", ticket, anna, "Richiamare dopo le 10")
    [queued] = handovers.queue(uow_factory(), assigned_to=anna)
    assert (queued.sender_id, queued.assigned_to, queued.notes[0].author) == (
        "tg-7",
        "anna",
        "anna",
    )
    handovers.close(uow_factory(), "richiamata", ticket, anna, "done", "Codice reinviato.")
    assert handovers.queue(uow_factory()) == []
    closed = handovers.get_ticket(uow_factory(), "richiamata", ticket)
    assert closed.closed and closed.notes[0].text == "Richiamare dopo le 10"
    subject = f"La tua richiesta di ricontatto n. {ticket}"
    assert count(database, Communication, Communication.subject == subject) == 1
    assert count(database, OutboxMessage, OutboxMessage.subject == subject) == 1


def test_a_transfer_from_the_chat_worked_to_the_end(database, uow_factory, clock, anna):
    old = register(uow_factory(), clock)
    new = register(uow_factory(), clock, **SOLE_VERDE)
    number = add_practice(uow_factory(), old, "Sole Verde S.r.l.", "01114601006")
    ticket = practices.request_transfer(
        uow_factory(), new, "01114601006", [number], [uploaded(uow_factory())], sender_id="web-1"
    )
    handovers.assign(uow_factory(), "pratica", ticket, anna)
    handovers.add_note(uow_factory(), "pratica", ticket, anna, "Procura verificata")
    [queued] = handovers.queue(uow_factory())
    assert (queued.kind, queued.contact, queued.sender_id) == (
        "pratica",
        SOLE_VERDE["email"],
        "web-1",
    )
    handovers.close(uow_factory(), "pratica", ticket, anna, "approved", "Tutto in regola.")
    assert practice_numbers_of(database, new) == [number]
    [received] = practices.practice_status(uow_factory(), new)[1]
    assert "Tutto in regola." in received.body
    assert handovers.get_ticket(uow_factory(), "pratica", ticket).status == "approved"


def test_marks_replace_by_event_and_export_as_yaml(uow_factory, anna):
    training.mark_misunderstood(
        uow_factory(), 10, "mi chiamo: 'Anna' # sì", "inform", anna, INTENTS
    )
    training.mark_misunderstood(uow_factory(), 11, "parlo con 3331234567?", "inform", anna, INTENTS)
    training.mark_misunderstood(
        uow_factory(), 10, "mi chiamo: 'Anna' # sì", "affirm", anna, INTENTS
    )
    assert training.intents_marked(uow_factory(), [10, 12]) == {10: "affirm"}
    data = yaml.safe_load(training.export_yaml(uow_factory()))
    assert data["nlu"] == [
        {"intent": "affirm", "examples": "- mi chiamo: 'Anna' # sì\n"},
        {"intent": "inform", "examples": "- parlo con ********67?\n"},
    ]


def test_migration_0003_keeps_the_documents_of_transfers(tmp_path):
    """SQLite rebuilds altered tables: the rebuild must not cascade into referencing rows."""
    engine = db.make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    db.upgrade(engine, "0002")
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO accounts (id, kind, fiscal_code, email, mobile, status, failed_logins,"
            " created_at) VALUES (1, 'person', 'X', 'a@b.it', '+39333', 'active', 0, '2026-01-01')",
            "INSERT INTO practice_transfers (id, account_id, requester_fiscal_code, practice_ids,"
            " status, outcome_note, created_at)"
            " VALUES (1, 1, 'X', '[]', 'pending', '', '2026-01-01')",
            "INSERT INTO documents (account_id, transfer_id, media_type, content, created_at)"
            " VALUES (1, 1, 'application/pdf', x'25', '2026-01-01')",
        ):
            connection.execute(text(statement))
    db.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM documents")).scalar() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    assert "assigned_to" in {c["name"] for c in inspect(engine).get_columns("practice_transfers")}
