"""Console login throttling and sessions against the fake backend."""

import hashlib

import pytest

from backend import staff
from backend.errors import Throttled

PASSWORD = "Console#2024"
LOCKED = "Troppi tentativi di accesso: riprova tra 15 minuti."


@pytest.fixture
def anna(uow) -> int:
    return staff.add_staff(uow, "anna", "agent", PASSWORD)


def fail(uow, username: str, times: int) -> None:
    for _ in range(times):
        assert staff.authenticate_staff(uow, username, "sbagliata") is None


@pytest.mark.parametrize("username", ["anna", "nessuno"])
def test_five_failures_lock_any_username_alike(uow, clock, anna, username):
    fail(uow, username, 5)
    with pytest.raises(Throttled) as locked:
        staff.authenticate_staff(uow, username, PASSWORD)
    assert locked.value.message_it == LOCKED
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(Throttled, match="riprova tra 1 minuto\\."):
        staff.authenticate_staff(uow, username, PASSWORD)
    clock.advance(seconds=1)
    assert (staff.authenticate_staff(uow, username, PASSWORD) is not None) == (username == "anna")


def test_a_success_resets_the_count_and_the_lock_is_per_username(uow, anna):
    fail(uow, "anna", 4)
    assert staff.authenticate_staff(uow, " ANNA ", PASSWORD).id == anna
    fail(uow, "anna", 4)
    assert staff.authenticate_staff(uow, "anna", PASSWORD).id == anna
    fail(uow, "bruno", 5)
    assert staff.authenticate_staff(uow, "anna", PASSWORD).id == anna


def test_neither_the_typed_username_nor_the_password_is_stored(uow, anna):
    fail(uow, "Console#2024", 1)  # a password typed in the username field
    stored = str([vars(row) for row in uow.staff_login_attempts.find()])
    stored += str([e.details for e in uow.audit.find()])
    assert "Console#2024" not in stored and "console#2024" not in stored
    [failed] = uow.audit.find(event="staff_login_failed")
    assert failed.details == {"staff_id": None}


def test_a_session_stores_only_the_token_hash(uow, anna):
    token, csrf = staff.open_session(uow, anna)
    [record] = uow.staff_sessions.find()
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(record)) and csrf not in str(vars(record))
    session = staff.session_for(uow, token)
    assert session == staff.StaffSession(anna, "anna", "agent", csrf)
    assert staff.session_for(uow, token + "x") is None
    assert [e.event for e in uow.audit.find()][-1] == "staff_login"


def test_a_session_ends_after_idle_minutes_but_activity_keeps_it(uow, clock, anna):
    token, _ = staff.open_session(uow, anna)
    for _ in range(3):
        clock.advance(minutes=30)
        assert staff.session_for(uow, token) is not None
    clock.advance(minutes=30, seconds=1)
    assert staff.session_for(uow, token) is None
    assert uow.staff_sessions.find() == []


def test_the_idle_time_comes_from_the_settings(uow, clock, anna):
    uow.settings = uow.settings.model_copy(update={"console_idle_minutes": 5})
    token, _ = staff.open_session(uow, anna)
    clock.advance(minutes=6)
    assert staff.session_for(uow, token) is None


def test_a_busy_session_still_ends_after_twelve_hours(uow, clock, anna):
    token, _ = staff.open_session(uow, anna)
    for _ in range(24):
        clock.advance(minutes=29)
        assert staff.session_for(uow, token) is not None
    clock.advance(minutes=29)  # 12 h 25 min after opening, active a minute ago
    assert staff.session_for(uow, token) is None


def test_logout_ends_the_session_and_opening_drops_the_expired(uow, clock, anna):
    old, _ = staff.open_session(uow, anna)
    clock.advance(hours=1)
    token, _ = staff.open_session(uow, anna)
    assert len(uow.staff_sessions.find()) == 1  # the idle one went
    staff.close_session(uow, token)
    assert staff.session_for(uow, token) is None
    staff.close_session(uow, token)  # twice is harmless
    assert [e.event for e in uow.audit.find(event="staff_logout")] == ["staff_logout"]
    assert staff.session_for(uow, old) is None
