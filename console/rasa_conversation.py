"""What the console writes into a Rasa conversation while an operator has it.

Rasa does not predict while a tracker is paused (it still stores what the customer writes),
so an operator's take pauses the bot and a give-back resumes it; the operator's messages go
into the tracker as bot events marked with the operator's name (``OPERATOR_KEY``), so the
transcript the console and the retention jobs read is whole. The widget and the Telegram
bridge deliver the messages from the backend (``backend/live_chats.py``), not from here.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from actions.contract import (
    IN_QUEUE_SLOT,
    OPERATOR_KEY,
    RATING_ID_SLOT,
    RATING_OFFER_SLOT,
    RATING_PROMPT,
    operator_offer,
    rating_buttons,
)
from backend.settings import Settings

TIMEOUT = 10.0


class RasaUnavailable(Exception):
    """Rasa did not take the events: the caller undoes or reports, in Italian."""


def bot_event(text: str, operator: str | None = None, buttons: list | None = None) -> dict:
    metadata = {OPERATOR_KEY: operator} if operator else {}
    event = {"event": "bot", "text": text, "metadata": metadata}
    return event | ({"data": {"buttons": buttons}} if buttons else {})


def rating_offered(chat_id: int) -> list[dict]:
    """The invitation to rate the hand-over that just ended, as the bot's own (the customer's
    👍 / 👎 reaches ``action_valuta``, which reads the offer from the slot)."""
    return [
        bot_event(RATING_PROMPT, buttons=rating_buttons()),
        {"event": "slot", "name": RATING_OFFER_SLOT, "value": operator_offer(chat_id)},
        {"event": "slot", "name": RATING_ID_SLOT, "value": None},
    ]


def taken(greeting: str, operator: str) -> list[dict]:
    """The bot falls silent; the customer is no longer in the queue."""
    return [
        {"event": "pause"},
        bot_event(greeting, operator),
        {"event": "slot", "name": IN_QUEUE_SLOT, "value": False},
    ]


def resumed(text: str) -> list[dict]:
    """The service's last word, then the bot answers again."""
    return [bot_event(text), {"event": "resume"}]


def left_queue(text: str) -> list[dict]:
    """Nobody took the chat: the customer is told, and no longer counts as waiting."""
    return [bot_event(text), {"event": "slot", "name": IN_QUEUE_SLOT, "value": False}]


class RasaConversation:
    """Appends events to a conversation through Rasa's HTTP API (``--enable-api``)."""

    def __init__(self, url: str, token: str = "", timeout: float = TIMEOUT):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> RasaConversation:
        return cls(str(settings.rasa_url), settings.rasa_api_token)

    def append(self, sender_id: str, events: list[dict]) -> None:
        params = {"include_events": "NONE"}
        if self.token:
            params["token"] = self.token
        try:
            response = httpx.post(
                f"{self.url}/conversations/{quote(sender_id, safe='')}/tracker/events",
                params=params,
                json=events,
                timeout=self.timeout,
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(type(error).__name__) from error
