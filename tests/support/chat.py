"""Conversations as a channel has them: through the web app with the identity it issues
(``Chat``), or straight over Rasa's REST channel for what no channel would send (``RestChat``)."""

import itertools
import random
import uuid

import httpx
import jwt

from actions.contract import WEB, sender_id
from bot.channels.web.identity import HEADER

# Each Chat is its own client address (X-Forwarded-For from the stack's trusted proxy,
# 127.0.0.1): the per-address limit counts conversations apart, as it would real customers.
_ADDRESSES = (f"10.{random.randrange(256)}.{n // 256 % 256}.{n % 256}" for n in itertools.count(1))


def say(
    client: httpx.Client, rasa_url: str, sender: str, text: str, metadata: dict | None = None
) -> list[dict]:
    """Sends one message over Rasa's REST channel and returns the bot's replies."""
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    response = client.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if "text" in reply]


def said(replies: list[dict]) -> str:
    """Everything the bot said in one turn, as one string."""
    return " ".join(texts(replies))


def conversation_of(credential: str) -> str:
    """The Rasa sender id a web credential names (read, not verified: the test is the
    client; the web app verifies)."""
    claims = jwt.decode(credential, options={"verify_signature": False})
    return sender_id(WEB, claims["sub"])


class Chat:
    """One conversation through the web app's ``/api/chat``, as the widget embedded where
    third-party cookies are blocked has it: the web app issues the conversation and its
    credential (the ``X-Conversation`` header); call it with a message, get the replies.

    ``metadata`` is what the widget adds, e.g. ``{"documento": reference}`` for an upload.
    """

    def __init__(self, client: httpx.Client, web_url: str, rasa_url: str):
        self.client, self.web_url, self.rasa_url = client, web_url, rasa_url
        self.address = next(_ADDRESSES)
        self.credential = ""

    @property
    def sender(self) -> str:
        """The conversation's Rasa sender id (``web-…``), once the web app issued it."""
        return conversation_of(self.credential)

    def post(
        self, body: object, credential: str | None = None, address: str | None = None
    ) -> httpx.Response:
        """One raw request to ``/api/chat`` from this chat's address (or the one given), with
        its credential (or the one given); keeps the credential the web app sends back."""
        credential = self.credential if credential is None else credential
        headers = {"X-Forwarded-For": address or self.address}
        headers |= {HEADER: credential} if credential else {}
        self.client.cookies.clear()  # the client is shared: each Chat holds only its header
        response = self.client.post(
            f"{self.web_url}/api/chat", json=body, headers=headers, timeout=30
        )
        if HEADER in response.headers and credential == self.credential:
            self.credential = response.headers[HEADER]
        return response

    def __call__(self, text: str, metadata: dict | None = None) -> list[dict]:
        return self.replies(text, metadata)

    def replies(self, text: str, metadata: dict | None = None) -> list[dict]:
        body = {"id": uuid.uuid4().hex, "message": text, "metadata": metadata or {}}
        response = self.post(body)
        response.raise_for_status()
        return response.json()

    def new_session(self) -> None:
        """What Rasa does after 30 idle minutes: it runs `action_session_start`."""
        url = f"{self.rasa_url}/conversations/{self.sender}/execute"
        self.client.post(url, json={"name": "action_session_start"}).raise_for_status()

    def login(self, customer) -> None:
        self.replies("voglio accedere")
        self.replies(customer.email)
        assert "Accesso effettuato" in said(self.replies(customer.password))


class TextChat(Chat):
    """A conversation that answers with what the bot said, as text."""

    def __call__(self, text: str, metadata: dict | None = None) -> str:
        return said(self.replies(text, metadata))


class RestChat(Chat):
    """Straight to Rasa's REST channel, as a sender of its own (``e2e-…``): for messages the
    web app refuses before the bot sees them (empty ones), to show the bot copes anyway."""

    def __init__(self, client: httpx.Client, web_url: str, rasa_url: str):
        super().__init__(client, web_url, rasa_url)
        self.rest_sender = f"e2e-{uuid.uuid4()}"

    @property
    def sender(self) -> str:
        return self.rest_sender

    def replies(self, text: str, metadata: dict | None = None) -> list[dict]:
        return say(self.client, self.rasa_url, self.sender, text, metadata)


class RestTextChat(RestChat, TextChat):
    """Straight to Rasa's REST channel, answering with text: a channel that says nothing of
    itself (no ``canale``), to which the bot cannot offer the widget's upload button."""
