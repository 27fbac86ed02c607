"""Live hand-over: a customer talks now with an operator, in the same chat."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base


class LiveChatState(StrEnum):
    WAITING = "waiting"  # in the queue of «In diretta»
    ACTIVE = "active"  # an operator has it: the bot is silent
    ENDED = "ended"


class LiveChatEnd(StrEnum):
    RETURNED = "returned"  # the operator gave it back to the assistant
    CLOSED = "closed"  # the operator closed the conversation
    LEFT = "left"  # the customer left the queue
    QUEUE_TIMEOUT = "queue_timeout"  # nobody took it in time: a callback ticket instead
    IDLE = "idle"  # the customer went silent


class Author(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    SYSTEM = "system"  # what the service tells the customer: taken, given back, closed


class LiveChat(Base):
    """One request to talk to a person, from the queue to its end.

    Every change of ``state`` is a conditional UPDATE (``LiveChatRepository.shift``): of two
    operators pressing «Prendi in carico» at once one wins, and a chat ends only once.
    """

    __tablename__ = "live_chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Rasa conversation: the transcript, and the channel's address.
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), index=True)
    requested_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL", name="fk_live_chats_operator_id")
    )
    # The customer's last message, or the moment the chat was taken: the idle timeout's start.
    last_customer_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))
    # The ticket opened when the queue timed out.
    callback_id: Mapped[int | None] = mapped_column(
        ForeignKey("callback_requests.id", ondelete="SET NULL", name="fk_live_chats_callback_id")
    )


class LiveMessage(Base):
    """A message of a live chat, numbered: the pages and the widget ask for those after N."""

    __tablename__ = "live_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(
        ForeignKey("live_chats.id", ondelete="CASCADE"), index=True
    )
    sender_id: Mapped[str] = mapped_column(String(255), index=True)
    author: Mapped[str] = mapped_column(String(10))
    # The operator's name as the customer sees it (operator messages only).
    operator_name: Mapped[str | None] = mapped_column(String(100))
    # A customer's text is kept masked (backend.masking), as staff see every transcript.
    text: Mapped[str] = mapped_column(Text)
    # Choices offered with it, [{"title", "payload"}] as the bot's buttons (the rating's 👍/👎).
    buttons: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    # When the Telegram bridge delivered it (operator and system messages on Telegram).
    delivered_at: Mapped[datetime | None]


class OperatorPresence(Base):
    """An operator's «Disponibile»: true while their «In diretta» page keeps asking."""

    __tablename__ = "operator_presence"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    available: Mapped[bool]
    seen_at: Mapped[datetime]
