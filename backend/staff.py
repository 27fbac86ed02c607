"""Staff users of the console."""

from backend import audit
from backend.errors import Conflict, InvalidInput
from backend.models import StaffRole, StaffUser
from backend.passwords import hash_password, verify_password
from backend.validators import validate_password


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


def authenticate_staff(uow, username: str, password: str) -> StaffUser | None:
    with uow:
        user = uow.staff.first(username=username.strip().lower())
        if verify_password(uow.settings, user.password_hash if user else None, password):
            return user
        audit.record(uow, "staff_login_failed", None, username=username[:100])
        uow.commit()
        return None
