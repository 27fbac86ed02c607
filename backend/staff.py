"""Staff users of the console: accounts, throttled login, sessions."""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from backend import audit
from backend.entities import StaffLoginAttempts, StaffRole, StaffSessionRecord, StaffUser
from backend.errors import Conflict, InvalidInput, NotFound, Throttled
from backend.passwords import hash_password, verify_password
from backend.validators import validate_password

SESSION_MAX_AGE = timedelta(hours=12)


def add_staff(uow, username: str, role: str, password: str) -> int:
    username = username.strip().lower()
    if not username:
        raise InvalidInput("Indica lo username.")
    if role not in set(StaffRole):
        raise InvalidInput("Il ruolo deve essere agent o supervisor.")
    validate_password(password)
    with uow:
        if uow.staff.first(username=username) is not None:
            raise Conflict("Esiste già un operatore con questo username.")
        user = uow.staff.add(
            StaffUser(
                username=username,
                role=role,
                created_at=uow.now(),
                password_hash=hash_password(uow.settings, password),
            )
        )
        audit.record(uow, "staff_added", None, staff_id=user.id, role=role)
        uow.commit()
        return user.id


def _operator(uow, username: str) -> StaffUser:
    user = uow.staff.first(username=username.strip().lower())
    if user is None:
        raise NotFound("Nessun operatore con questo username.")
    return user


def disable_staff(uow, username: str) -> None:
    """An operator who left: no more logins, and their open sessions end now."""
    with uow:
        user = _operator(uow, username)
        user.disabled_at = user.disabled_at or uow.now()
        _end_sessions(uow, user.id)
        audit.record(uow, "staff_disabled", None, staff_id=user.id)
        uow.commit()


def change_staff_password(uow, username: str, password: str) -> None:
    """A new password (e.g. a forgotten one, reset by an administrator); sessions end."""
    validate_password(password)
    with uow:
        user = _operator(uow, username)
        user.password_hash = hash_password(uow.settings, password)
        _end_sessions(uow, user.id)
        audit.record(uow, "staff_password_changed", None, staff_id=user.id)
        uow.commit()


def list_staff(uow) -> list[StaffUser]:
    with uow:
        return uow.staff.find()


def _end_sessions(uow, staff_id: int) -> None:
    for record in uow.staff_sessions.find(staff_id=staff_id):
        uow.staff_sessions.delete(record)


# --- login -------------------------------------------------------------------------------


def authenticate_staff(uow, username: str, password: str) -> StaffUser | None:
    """The operator, or None; repeated failures lock the typed username, known or not."""
    username = username.strip().lower()
    with uow:
        attempts = _login_attempts(uow, username)
        _refuse_if_locked(uow, attempts)
        user = uow.staff.first(username=username, disabled_at=None)
        if verify_password(uow.settings, user.password_hash if user else None, password):
            attempts.failures = 0
            uow.commit()
            return user
        _count_failure(uow, attempts)
        # Not the typed username: it is sometimes the password typed in the wrong field.
        audit.record(uow, "staff_login_failed", None, staff_id=user.id if user else None)
        uow.commit()
        return None


def _login_attempts(uow, username: str) -> StaffLoginAttempts:
    # Keyed: an unkeyed hash of a password typed as the username could be brute-forced.
    secret = uow.settings.secret_key.encode()
    key = hmac.new(secret, b"staff-login:" + username.encode(), hashlib.sha256).hexdigest()
    attempts = uow.staff_login_attempts.get(key, for_update=True)
    if attempts is None:
        attempts = uow.staff_login_attempts.add(StaffLoginAttempts(username_hash=key))
    return attempts


def _refuse_if_locked(uow, attempts: StaffLoginAttempts) -> None:
    now = uow.now()
    if attempts.locked_until is not None and attempts.locked_until > now:
        minutes = math.ceil((attempts.locked_until - now).total_seconds() / 60)
        unit = "minuto" if minutes == 1 else "minuti"
        raise Throttled(f"Troppi tentativi di accesso: riprova tra {minutes} {unit}.")


def _count_failure(uow, attempts: StaffLoginAttempts) -> None:
    settings = uow.settings
    attempts.failures += 1
    if attempts.failures >= settings.login_max_failures:
        attempts.locked_until = uow.now() + timedelta(minutes=settings.login_lock_minutes)
        attempts.failures = 0


# --- sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSession:
    staff_id: int
    username: str
    role: str
    csrf_token: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _csrf_token(uow, token: str) -> str:
    # Derived from the session token, so it needs no storage and dies with the session.
    key = uow.settings.secret_key.encode()
    return hmac.new(key, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()


def open_session(uow, staff_id: int) -> tuple[str, str]:
    """A new console session: ``(token, csrf_token)``; only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    with uow:
        now = uow.now()
        _drop_expired_sessions(uow, staff_id)
        uow.staff_sessions.add(
            StaffSessionRecord(
                token_hash=_token_hash(token), staff_id=staff_id, created_at=now, last_seen_at=now
            )
        )
        audit.record(uow, "staff_login", None, staff_id=staff_id)
        uow.commit()
    return token, _csrf_token(uow, token)


def _expired(uow, record: StaffSessionRecord) -> bool:
    now = uow.now()
    idle = timedelta(minutes=uow.settings.console_idle_minutes)
    return now - record.last_seen_at > idle or now - record.created_at > SESSION_MAX_AGE


def _drop_expired_sessions(uow, staff_id: int) -> None:
    for record in uow.staff_sessions.find(staff_id=staff_id):
        if _expired(uow, record):
            uow.staff_sessions.delete(record)


def purge_stale_rows(uow) -> int:
    """Delete ended console sessions and login-throttling rows that hold nothing any more (no
    failure counted, no lock running); how many rows went. A row still counting failures stays:
    deleting it would reset the count."""
    with uow:
        now = uow.now()
        sessions = [r for r in uow.staff_sessions.find() if _expired(uow, r)]
        attempts = [
            a
            for a in uow.staff_login_attempts.find(failures=0)
            if a.locked_until is None or a.locked_until <= now
        ]
        for record in sessions:
            uow.staff_sessions.delete(record)
        for row in attempts:
            uow.staff_login_attempts.delete(row)
        uow.commit()
        return len(sessions) + len(attempts)


def session_for(uow, token: str) -> StaffSession | None:
    """The live session of this token (its idle time restarts), or None."""
    with uow:
        record = uow.staff_sessions.first(token_hash=_token_hash(token))
        if record is None:
            return None
        if _expired(uow, record):
            uow.staff_sessions.delete(record)
            uow.commit()
            return None
        record.last_seen_at = uow.now()
        user = uow.staff.get(record.staff_id)
        uow.commit()
        return StaffSession(user.id, user.username, user.role, _csrf_token(uow, token))


def close_session(uow, token: str) -> None:
    """Log out: the token stops working at once."""
    with uow:
        record = uow.staff_sessions.first(token_hash=_token_hash(token))
        if record is None:
            return
        uow.staff_sessions.delete(record)
        audit.record(uow, "staff_logout", None, staff_id=record.staff_id)
        uow.commit()
