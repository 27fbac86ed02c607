"""The SMS budget on real databases (SQLite and PostgreSQL): the outbox and the tables."""

import threading

import pytest
from sqlalchemy import func, select

from backend.entities import (
    Account,
    AuditEvent,
    OutboxMessage,
    SmsBudgetEntry,
    VerificationCode,
)
from backend.errors import BackendError
from backend.sms_budget import SmsRefused
from tests.support.registration import start_new_person as start


def counts(database) -> dict[str, int]:
    with database.engine.connect() as connection:

        def count(model, *where) -> int:
            return connection.scalar(select(func.count()).select_from(model).where(*where))

        return {
            "accounts": count(Account),
            "codes": count(VerificationCode),
            "sms": count(OutboxMessage, OutboxMessage.channel == "sms"),
            "queued": count(SmsBudgetEntry, SmsBudgetEntry.refused == ""),
            "refused": count(SmsBudgetEntry, SmsBudgetEntry.refused == "cliente"),
            "audited": count(AuditEvent, AuditEvent.event == "sms_refused"),
        }


def test_the_fourth_flow_of_a_client_is_refused_and_nothing_of_it_is_written(
    database, uow_factory, clock
):
    for _ in range(3):
        start(uow_factory())
        clock.advance(seconds=5)
    with pytest.raises(SmsRefused, match="al massimo 3 richieste con invio di SMS"):
        start(uow_factory())
    assert counts(database) == {
        "accounts": 3,
        "codes": 3,
        "sms": 3,
        "queued": 3,
        "refused": 1,
        "audited": 1,
    }
    start(uow_factory(), client="conversazione:telegram-7")
    assert counts(database)["sms"] == 4


def test_a_burst_from_one_client_across_connections_queues_three_sms(database, uow_factory):
    """Eight registrations at once, each on its own connection, as from several replicas of
    the action server: the lock makes the check and the count one step."""
    tries = 8
    barrier = threading.Barrier(tries)
    outcomes: list[str] = []

    def attempt() -> None:
        uow = uow_factory()
        barrier.wait()
        try:
            start(uow)
            outcomes.append("queued")
        except SmsRefused:
            outcomes.append("refused")
        except BackendError as error:  # pragma: no cover - would fail the assertion below
            outcomes.append(error.message_it)

    threads = [threading.Thread(target=attempt) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["queued"] * 3 + ["refused"] * 5
    found = counts(database)
    assert (found["accounts"], found["sms"], found["queued"], found["refused"]) == (3, 3, 3, 5)
