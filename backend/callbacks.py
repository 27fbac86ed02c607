"""Help Online: requests to be called back, worked by staff as tickets."""

from backend.errors import InvalidInput, NotAllowed, NotFound
from backend.models import CallbackRequest, CallbackStatus
from backend.validators import validate_phone


def request_callback(
    uow, name: str, phone: str, topic: str, preferred_time: str, account_id: int | None = None
) -> int:
    """Open a ticket; returns its number for the user to quote."""
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
            )
        )
        uow.commit()
        return ticket.id


def open_callbacks(uow) -> list[CallbackRequest]:
    with uow:
        return uow.callbacks.find(status=CallbackStatus.OPEN)


def close_callback(uow, ticket_id: int) -> None:
    with uow:
        ticket = uow.callbacks.get(ticket_id)
        if ticket is None:
            raise NotFound("Richiesta di ricontatto non trovata.")
        if ticket.status != CallbackStatus.OPEN:
            raise NotAllowed("La richiesta di ricontatto è già chiusa.")
        ticket.status = CallbackStatus.CLOSED
        ticket.closed_at = uow.now()
        uow.commit()
