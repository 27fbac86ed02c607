"""Audit trail of security-relevant events. Callers pass identifiers, never secrets."""

from backend.entities import AuditEvent

# Keys that must never reach the audit table, whatever a caller passes.
_SECRET_KEYS = {"password", "code", "otp", "token", "document"}


def record(uow, event: str, account_id: int | None = None, **details) -> None:
    clean = {k: v for k, v in details.items() if k not in _SECRET_KEYS}
    uow.audit.add(
        AuditEvent(event=event, account_id=account_id, details=clean, created_at=uow.now())
    )
