"""Help Online: requests to be called back, worked by staff as tickets (``backend.handovers``)."""

from backend.entities import CallbackRequest, CallbackStatus
from backend.errors import InvalidInput
from backend.validators import validate_phone


def request_callback(
    uow,
    name: str,
    phone: str,
    topic: str,
    preferred_time: str,
    account_id: int | None = None,
    sender_id: str | None = None,
) -> int:
    """Open a ticket; returns its number for the user to quote.

    ``sender_id`` is the conversation's, so staff can read what led to the request.
    """
    phone = validate_phone(phone)
    if not name.strip():
        raise InvalidInput("Indica il nome della persona da ricontattare.")
    if not topic.strip():
        raise InvalidInput("Descrivi brevemente il motivo della richiesta.")
    with uow:
        ticket = uow.callbacks.add(
            CallbackRequest(
                account_id=account_id,
                name=name.strip()[:200],
                phone=phone,
                topic=topic.strip()[:500],
                preferred_time=preferred_time.strip()[:100] or "qualsiasi orario",
                status=CallbackStatus.OPEN,
                created_at=uow.now(),
                sender_id=sender_id,
            )
        )
        uow.commit()
        return ticket.id
