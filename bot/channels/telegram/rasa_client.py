"""The Telegram bridge's side of Rasa: the REST channel client and what its replies mean.

Nothing here logs what the user wrote: a message may be a password or a code.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from actions.contract import SECRET_INPUT, SECRET_INPUT_KEY

log = logging.getLogger(__name__)

# Telegram refuses callback_data longer than 64 bytes: longer payloads travel as a key.
MAX_CALLBACK_BYTES = 64
_INLINE, _KEYED = "p:", "k:"
# Telegram refuses messages longer than 4096 characters.
MAX_TEXT = 4096


class RasaUnavailable(Exception):
    """Rasa did not answer (down, slow, or failing): the user gets an apology."""


@dataclass
class BotReply:
    """What Rasa answered to one message, ready for Telegram."""

    messages: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    # The bot asked for a password or a code: the user's next message is a secret.
    expects_secret: bool = False


def parse_replies(replies: list[dict[str, Any]]) -> BotReply:
    """Texts with their buttons (title, payload), and whether a secret comes next."""
    reply = BotReply()
    for item in replies:
        custom = item.get("custom")
        if isinstance(custom, dict) and custom.get(SECRET_INPUT_KEY) == SECRET_INPUT:
            reply.expects_secret = True
        buttons = [
            (str(button.get("title") or button.get("payload")), str(button.get("payload") or ""))
            for button in item.get("buttons") or []
            if button.get("payload")
        ]
        text = item.get("text") or item.get("image") or ""
        if text or buttons:
            reply.messages.append((str(text) or "Scegli un'opzione:", buttons))
    return reply


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]


class CallbackPayloads:
    """Maps button payloads to callback_data within Telegram's 64 bytes, and back.

    A short payload travels inline; a long one as a key derived from it, kept in a bounded
    in-memory table (a button older than the table, or than a restart, is reported stale).
    """

    def __init__(self, capacity: int = 10_000):
        self.capacity = capacity
        self._long: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        inline = _INLINE + payload
        if len(inline.encode()) <= MAX_CALLBACK_BYTES:
            return inline
        digest = hashlib.sha256(payload.encode()).digest()[:18]
        key = _KEYED + base64.urlsafe_b64encode(digest).decode()
        self._long[key] = payload
        self._long.move_to_end(key)
        while len(self._long) > self.capacity:
            self._long.popitem(last=False)
        return key

    def keyboard(self, buttons: list[tuple[str, str]]) -> InlineKeyboardMarkup | None:
        """(title, payload) pairs as an inline keyboard, one button a row; None for none."""
        if not buttons:
            return None
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(title[:64], callback_data=self.encode(payload))]
                for title, payload in buttons
            ]
        )

    def decode(self, data: str | None) -> str | None:
        """The payload behind a button's data; None when it is unknown or stale."""
        data = data or ""
        if data.startswith(_INLINE):
            return data[len(_INLINE) :]
        return self._long.get(data)


class RasaClient:
    """Sends user messages to Rasa's REST channel.

    A connection that fails before Rasa read the message is retried: the message cannot
    arrive twice. A timeout is not retried, since Rasa may still be handling it.
    """

    def __init__(
        self,
        base_url: str,
        timeout: float = 30.0,
        retry_delays: tuple[float, ...] = (0.5, 1.5),
    ):
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.retry_delays = retry_delays
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> BotReply:
        """Rasa's answer to one message; raises ``RasaUnavailable`` when there is none."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        for attempt, delay in enumerate((*self.retry_delays, None)):
            try:
                response = await self.client.post(self.url, json=body)
                response.raise_for_status()
                return parse_replies(response.json())
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if delay is None:
                    raise RasaUnavailable("Rasa unreachable") from exc
                log.warning("Rasa unreachable (attempt %d), retrying in %.1fs", attempt + 1, delay)
                await asyncio.sleep(delay)
            except httpx.TimeoutException as exc:
                raise RasaUnavailable("Rasa too slow") from exc
            except (httpx.HTTPError, ValueError) as exc:
                raise RasaUnavailable(f"Rasa failed: {type(exc).__name__}") from exc
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.client.aclose()
