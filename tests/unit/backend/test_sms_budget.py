"""The SMS budget on the fake backend: per number, per client's flows, per hour overall."""

from datetime import timedelta

import pytest

from backend import accounts, callbacks, credentials, handovers, sms_budget, staff
from backend.entities import AccountStatus, SmsLimit
from backend.sms_budget import SmsRefused
from tests.support.registration import CF, register
from tests.support.registration import start_new_person as start

HELP = "Usa il servizio Help OnLine per farti ricontattare oppure chiama il numero verde 803.500."


def sms_count(uow) -> int:
    return len([m for m in uow.outbox.find() if m.channel == "sms"])


def test_a_client_starts_three_sms_flows_an_hour_and_the_fourth_changes_nothing(uow, clock):
    for _ in range(3):
        start(uow)
        clock.advance(seconds=10)
    before = (len(uow.accounts.find()), len(uow.codes.find()), len(uow.outbox.find()))
    with pytest.raises(SmsRefused) as refused:
        start(uow)
    assert refused.value.limit == SmsLimit.CLIENT
    assert refused.value.message_it == (
        "Per sicurezza dalla stessa chat o connessione si possono avviare al massimo 3 "
        "richieste con invio di SMS in un'ora, e il limite è raggiunto: potrai riprovare tra "
        f"60 minuti. {HELP}"
    )
    # Nothing of the fourth registration was kept: no account, no code, no message.
    assert (len(uow.accounts.find()), len(uow.codes.find()), len(uow.outbox.find())) == before
    [event] = uow.audit.find(event="sms_refused")
    assert event.details == {"limit": "cliente", "flow": "registration_mobile"}
    assert [e.refused for e in uow.sms_budget.find()] == ["", "", "", "cliente"]
    start(uow, client="indirizzo:198.51.100.1")  # another client is not held up
    clock.advance(minutes=60)  # the first flow leaves the hour
    start(uow)
    assert sms_count(uow) == 5


def test_a_number_receives_three_sms_an_hour_whoever_asks(uow, clock):
    mobile = "+393471112233"
    account_id = start(uow, "conversazione:telegram-1", mobile)
    for _ in range(2):
        clock.advance(seconds=61)
        accounts.resend_registration_code(uow, account_id, client="conversazione:telegram-1")
    clock.advance(minutes=1)
    with pytest.raises(SmsRefused, match="questo li ha già ricevuti: potrai richiederne un altro "
                       "tra 57 minuti") as refused:  # fmt: skip
        start(uow, "indirizzo:198.51.100.1", mobile)
    assert refused.value.limit == SmsLimit.NUMBER
    assert len(uow.messages_to(mobile)) == 3
    # The registration started first is still there, waiting for its code.
    assert uow.accounts.get(account_id).status == AccountStatus.MOBILE_PENDING


def test_a_new_code_in_a_flow_opens_no_new_flow(uow, clock):
    client = "indirizzo:203.0.113.7"
    first = start(uow, client)
    for _ in range(2):
        clock.advance(seconds=61)
        accounts.resend_registration_code(uow, first, client=client)
    start(uow, client)
    start(uow, client)  # three flows, five SMS
    assert sms_count(uow) == 5


def test_the_whole_service_sends_the_hourly_budget_and_no_more(uow, clock):
    uow.settings = uow.settings.model_copy(update={"sms_hourly_budget": 2})
    start(uow, "conversazione:a")
    clock.advance(minutes=59)
    start(uow, "conversazione:b")
    with pytest.raises(SmsRefused, match="In quest'ora il servizio ha già inviato tutti gli SMS "
                       "previsti: potrai riprovare tra un minuto") as refused:  # fmt: skip
        start(uow, "conversazione:c")
    assert refused.value.limit == SmsLimit.HOURLY
    clock.advance(minutes=1, seconds=1)
    start(uow, "conversazione:c")
    assert sms_count(uow) == 3


def test_a_username_change_code_counts_and_its_resend_opens_no_flow(uow, clock):
    register(uow, clock)  # its registration SMS was a day ago
    client = "indirizzo:203.0.113.7"
    start(uow, client)
    start(uow, client)
    credentials.request_username_change(uow, CF, client=client)
    clock.advance(seconds=61)
    credentials.request_username_change(uow, CF, client=client, resend=True)
    with pytest.raises(SmsRefused):
        start(uow, client)
    flows = [e.flow for e in uow.sms_budget.find() if e.opens_flow and not e.refused]
    assert flows[1:] == ["registration_mobile"] * 2 + ["username_change"]


def test_staff_sms_count_but_are_never_refused(uow, clock):
    mobile = "+393331234567"
    for n in range(3):
        start(uow, f"conversazione:{n}", mobile if n == 0 else "")
    anna = staff.add_staff(uow, "anna", "agent", "Console#2024")
    for _ in range(3):  # the number's three SMS are spent by the first two: staff still write
        ticket = callbacks.request_callback(uow, "Mario Rossi", mobile, "Problema OTP", "")
        handovers.close(uow, "richiamata", ticket, anna, "done", "Fatto.")
    assert len(uow.messages_to(mobile)) == 4
    uow.settings = uow.settings.model_copy(update={"sms_hourly_budget": 6})
    with pytest.raises(SmsRefused, match="servizio"):
        start(uow, "conversazione:altro")


def test_the_ledger_keeps_no_number_nor_address_in_clear(uow):
    start(uow, "indirizzo:203.0.113.7", "+393471112233")
    [entry] = uow.sms_budget.find()
    assert "3471112233" not in entry.recipient and "203.0.113" not in entry.client
    assert len(entry.recipient) == len(entry.client) == 64


def test_the_summary_for_staff(uow, clock):
    since = clock()
    for _ in range(3):
        start(uow)
    with pytest.raises(SmsRefused):
        start(uow)
    clock.advance(minutes=90)
    start(uow, "conversazione:x")
    report = sms_budget.summary(uow, since, clock() + timedelta(seconds=1))
    assert report.period.sent == 4 and report.period.refused == {
        "numero": 0,
        "cliente": 1,
        "orario": 0,
    }
    assert report.last_hour.sent == 1 and sum(report.last_hour.refused.values()) == 0
    assert (report.hourly_budget, report.left_this_hour) == (200, 199)
