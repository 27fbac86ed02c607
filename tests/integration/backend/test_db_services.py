"""Services against real databases (each test runs on SQLite and PostgreSQL)."""

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from backend import accounts, acting, codes, credentials, delegations, practices, supplies
from backend.entities import (
    Account,
    AuditEvent,
    Base,
    CodePurpose,
    Communication,
    Delegation,
    Document,
    OutboxMessage,
    Practice,
    Supply,
    VerificationCode,
)
from backend.errors import CodeRejected, Conflict, NotAllowed
from tests.support import portal_data
from tests.support.portal_data import add_pod, add_practice, uploaded
from tests.support.registration import CF, EMAIL, PASSWORD, register

PDF = b"%PDF-1.4 identity"
GIULIA = dict(
    fiscal_id="BNCGLI90A41H501E",
    email="giulia@gmail.com",
    mobile="347 1234568",
    first_name="Giulia",
    last_name="Bianchi",
)
SOLE_VERDE = dict(
    fiscal_id="01114601006",
    email="info@soleverde.it",
    mobile="347 1234568",
    company_name="Sole Verde S.r.l.",
    representative_fiscal_code="VRDLGU80A01H501Q",
)


def last_code(database, recipient: str) -> str:
    return portal_data.last_code(database.uow(), recipient)


def practice_numbers_of(database, account_id: int) -> list[str]:
    with database.session_factory() as session:
        query = select(Practice.number).where(Practice.account_id == account_id)
        return list(session.scalars(query.order_by(Practice.id)))


def count(database, model, *where) -> int:
    with database.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_migrations_match_the_entities(database):
    with database.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_sqlite_runs_with_wal_and_foreign_keys(sqlite_database):
    with sqlite_database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_registration_and_login_round_trip(database, uow_factory, clock):
    account_id = register(uow_factory(), clock)
    assert accounts.login(uow_factory(), EMAIL, PASSWORD) == account_id
    assert count(database, OutboxMessage) == 3  # SMS code, e-mail code, welcome
    with database.session_factory() as session:
        stored = session.scalars(select(VerificationCode.code_hash)).all()
        audit = session.scalars(select(AuditEvent.details)).all()
    assert all(len(h) == 64 for h in stored)
    sent_codes = [last_code(database, "+393331234567")]
    assert not any(c in repr(stored) + repr(audit) for c in sent_codes)


def reset_and_ask_again_within_a_day(database, uow_factory, clock) -> str:
    """A customer resets the password, then asks again before 24 hours: the new code."""
    register(uow_factory(), clock)
    credentials.request_password_reset(uow_factory(), EMAIL)
    credentials.verify_password_reset_code(uow_factory(), EMAIL, last_code(database, EMAIL), "c0")
    credentials.reset_password_with_grant(uow_factory(), EMAIL, "c0", "Nuova#Pass2")
    clock.advance(hours=23, minutes=50)
    credentials.request_password_reset(uow_factory(), EMAIL)
    return last_code(database, EMAIL)


def test_a_failed_step_changes_nothing_but_the_counted_try(database, uow_factory, clock):
    code = reset_and_ask_again_within_a_day(database, uow_factory, clock)
    with pytest.raises(NotAllowed, match="24 ore"):
        credentials.verify_password_reset_code(uow_factory(), EMAIL, code, "c1")
    with pytest.raises(CodeRejected, match="non è corretto"):
        credentials.verify_password_reset_code(
            uow_factory(), EMAIL, f"{(int(code) + 1) % 10**6:06d}", "c1"
        )
    assert count(database, VerificationCode, VerificationCode.attempts == 1) == 1
    clock.advance(minutes=10)
    # The refused step rolled back: the same code still works once the 24 hours are over.
    credentials.verify_password_reset_code(uow_factory(), EMAIL, code, "c1")
    credentials.reset_password_with_grant(uow_factory(), EMAIL, "c1", "Altra#Pass3")
    assert accounts.login(uow_factory(), EMAIL, "Altra#Pass3")


def test_login_throttling_persists(database, uow_factory, clock):
    register(uow_factory(), clock)
    for _ in range(5):
        with pytest.raises(accounts.InvalidInput):
            accounts.login(uow_factory(), EMAIL, "Wrong#1234")
    with pytest.raises(accounts.Throttled):
        accounts.login(uow_factory(), EMAIL, PASSWORD)
    assert count(database, AuditEvent, AuditEvent.event == "login_failed") == 5


def test_the_database_refuses_duplicate_emails(database, uow_factory):
    def add(fiscal_code):
        uow = uow_factory()
        with uow:
            uow.accounts.add(
                Account(
                    kind="person",
                    fiscal_code=fiscal_code,
                    email=EMAIL,
                    mobile="+393331234567",
                    status="active",
                    created_at=uow.now(),
                )
            )
            uow.commit()

    add(CF)
    with pytest.raises(Conflict, match="già registrati"):
        add("BNCGLI90A41H501E")
    assert count(database, Account) == 1


def test_deleting_an_account_cascades(database, uow_factory, clock):
    mario = register(uow_factory(), clock)
    giulia = register(uow_factory(), clock, **GIULIA)
    add_pod(uow_factory(), "IT001E12345678", CF, "residential")
    supplies.link_supply(uow_factory(), mario, "IT001E12345678")
    delegations.request_delegation(
        uow_factory(), mario, "giulia@gmail.com", 90, uploaded(uow_factory())
    )
    received = delegations.request_delegation(
        uow_factory(), giulia, EMAIL, 30, uploaded(uow_factory())
    )
    number = add_practice(uow_factory(), mario, "Mario Rossi", CF)

    accounts.delete_account(uow_factory(), mario, PASSWORD)

    assert count(database, Account) == 1
    assert count(database, Delegation) == 0
    assert count(database, Supply) == 0
    assert count(database, Document) == 0  # Giulia's too, with the delegation to Mario
    assert count(database, VerificationCode, VerificationCode.account_id == mario) == 0
    with database.session_factory() as session:
        practice = session.scalars(select(Practice).where(Practice.number == number)).one()
    assert practice.account_id is None  # the distributor's record stays
    assert count(database, AuditEvent, AuditEvent.event == "account_deleted") == 1
    assert count(database, OutboxMessage, OutboxMessage.recipient == EMAIL) == 1  # the goodbye
    assert received


def test_two_concurrent_verifications_of_one_code_one_wins(database, uow_factory, clock):
    account_id = register(uow_factory(), clock)
    uow = uow_factory()
    with uow:
        code = codes.issue(uow, account_id, CodePurpose.PASSWORD_RESET)
        uow.commit()
    barrier = threading.Barrier(4)
    outcomes = []

    def verify():
        uow = uow_factory()
        barrier.wait()
        try:
            with uow:
                codes.verify(uow, account_id, CodePurpose.PASSWORD_RESET, code)
                uow.commit()
            outcomes.append("ok")
        except CodeRejected:
            outcomes.append("rejected")

    threads = [threading.Thread(target=verify) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "rejected", "rejected", "rejected"]


def test_delegation_lifecycle_and_expiry(database, uow_factory, clock):
    mario = register(uow_factory(), clock)
    giulia = register(uow_factory(), clock, **GIULIA)
    png = uploaded(uow_factory(), b"\x89PNG\r\n\x1a\nimage")
    delegation_id = delegations.request_delegation(uow_factory(), mario, "giulia@gmail.com", 7, png)
    delegations.respond_logged_in(uow_factory(), giulia, delegation_id, True)
    acting.check(uow_factory(), giulia, mario)
    clock.advance(days=7)
    assert delegations.expire_delegations(uow_factory()) == 1
    [listed] = delegations.list_delegations(uow_factory(), mario)
    assert listed.status == "expired"
    subjects = count(
        database,
        OutboxMessage,
        OutboxMessage.recipient == EMAIL,
        OutboxMessage.subject == "Aggiornamento della tua delega",
    )
    assert subjects == 3  # awaiting acceptance, active, expired


def test_practice_transfer_end_to_end(database, uow_factory, clock):
    old = register(uow_factory(), clock)
    new = register(uow_factory(), clock, **SOLE_VERDE)
    number = add_practice(uow_factory(), old, "Sole Verde S.r.l.", "01114601006")
    transfer_id = practices.request_transfer(
        uow_factory(),
        new,
        "01114601006",
        [number],
        [uploaded(uow_factory(), PDF), uploaded(uow_factory(), b"\xff\xd8\xff\xdbjpeg")],
    )
    practices.decide_transfer(uow_factory(), transfer_id, approve=True)
    assert practice_numbers_of(database, new) == [number]
    assert count(database, Communication, Communication.account_id == new) == 1
