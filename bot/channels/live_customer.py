"""What a customer writes while an operator of Help OnLine has the chat reaches the operator.

Both channels still send every message to Rasa (paused, it keeps the transcript and stays
silent) and hand it here too: ``backend.live_chats.customer_says`` records it when an
operator has the conversation and changes nothing otherwise. That check is one indexed query,
run in a worker thread so the event loop never waits on the database (``make bench``, live
hand-over, measures it). A button's payload («/intent») is not something the customer said;
a password or a code the customer introduces is replaced as the tracker store replaces it
(actions/redaction.py): the operator never reads a secret.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from actions import redaction
from actions.contract import REDACTED
from backend import live_chats
from backend.uow import AbstractUnitOfWork

log = logging.getLogger(__name__)


def words_for_operator(text: str) -> str | None:
    """The text as the operator may read it; None for a payload."""
    if text.startswith("/"):
        return None
    if redaction.is_password_shaped(text):
        return REDACTED
    return redaction.redact_introduced(text)[0]


async def tell_operator(
    unit_of_work: Callable[[], AbstractUnitOfWork], sender: str, text: str
) -> bool:
    """Records the customer's message for the operator holding the chat, if any; whether it
    did. A database failure is logged (never the text) and the bot's reply goes out as ever."""
    words = words_for_operator(text)
    if words is None:
        return False
    try:
        said = await asyncio.to_thread(live_chats.customer_says, unit_of_work(), sender, words)
    except SQLAlchemyError as failure:
        log.warning("live chat: message not recorded (%s)", type(failure).__name__)
        return False
    return said is not None
