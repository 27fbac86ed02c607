"""What customers thought of the help they got: 👍 or 👎, and an optional comment."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.entities.base import Base

MAX_COMMENT = 500


class RatedSubject(StrEnum):
    ASSISTANT = "assistente"  # a task the assistant completed
    OPERATOR = "operatore"  # a live hand-over with an operator


class Rating(Base):
    """One customer's vote on one offer to rate: a second vote on the same offer changes it.

    An operator's hand-over is rated once (``live_chat_id`` is unique); the assistant's offers
    are told apart by the conversation, which keeps the rating's id until the offer closes.
    """

    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Rasa conversation (its channel's namespace), never an account: a rating is anonymous.
    sender_id: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(10))
    live_chat_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_chats.id", ondelete="SET NULL", name="fk_ratings_live_chat_id"),
        unique=True,
    )
    score: Mapped[int] = mapped_column(SmallInteger)  # +1 or -1
    # Masked (backend.masking) and capped: staff read it in the analytics.
    comment: Mapped[str | None] = mapped_column(String(MAX_COMMENT))
    created_at: Mapped[datetime] = mapped_column(index=True)
