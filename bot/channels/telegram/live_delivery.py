"""Live hand-over on Telegram: the operators' and the service's messages reach the chat.

Nobody waits on a Telegram chat as the widget waits on its feed: a repeating job of the
bridge (``TELEGRAM_LIVE_INTERVAL_SECONDS``, 1 s) sends what ``live_chats.undelivered`` lists
for Telegram, oldest first, as ordinary bot messages, an operator's headed by their name
(«Anna · Help OnLine»). Each is marked delivered right after Telegram accepted it: one that
failed goes again next round (its chat's later messages wait behind it, to keep the order),
and one accepted is never sent twice. A chat Telegram refuses for good (the user blocked the
bot, the chat is gone) is not retried forever: its messages are dropped, with a log line.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from actions.contract import TELEGRAM, sender_id
from backend import live_chats
from backend.entities import Author, LiveMessage
from bot.channels.telegram.rasa_client import CallbackPayloads

log = logging.getLogger(__name__)

PREFIX = sender_id(TELEGRAM, "")
SIGNATURE = "{name} · Help OnLine"


def chat_of(sender: str) -> int | None:
    """The private chat of a Telegram conversation (``telegram-<user id>``)."""
    number = sender.removeprefix(PREFIX)
    return int(number) if sender.startswith(PREFIX) and number.isdigit() else None


def as_sent(message: LiveMessage) -> str:
    """The text the customer reads: an operator's message says who wrote it."""
    if message.author == Author.OPERATOR and message.operator_name:
        return f"{SIGNATURE.format(name=message.operator_name)}\n{message.text}"
    return message.text


async def deliver(bot: Bot, unit_of_work, payloads: CallbackPayloads) -> int:
    """One round: sends what is pending; returns how many messages Telegram accepted."""
    pending = await asyncio.to_thread(live_chats.undelivered, unit_of_work(), TELEGRAM)
    held: set[str] = set()  # chats whose earlier message failed this round
    sent = 0
    for message in pending:
        if message.sender_id in held:
            continue
        accepted = await _send(bot, message, payloads)
        if accepted is None:
            held.add(message.sender_id)
            continue
        sent += accepted
        await asyncio.to_thread(live_chats.mark_delivered, unit_of_work(), [message.id])
    return sent


async def _send(bot: Bot, message: LiveMessage, payloads: CallbackPayloads) -> bool | None:
    """True when Telegram accepted it, False when it never will, None to try again."""
    chat = chat_of(message.sender_id)
    if chat is None:
        log.warning("live message %s dropped: not a Telegram conversation", message.id)
        return False
    try:
        choices = [(b["title"], b["payload"]) for b in message.buttons or ()]
        await bot.send_message(chat, as_sent(message), reply_markup=payloads.keyboard(choices))
    except (Forbidden, BadRequest) as refused:
        log.warning("live message %s dropped: %s", message.id, type(refused).__name__)
        return False
    except TelegramError as failure:
        log.warning("live message %s not sent yet: %s", message.id, type(failure).__name__)
        return None
    return True
