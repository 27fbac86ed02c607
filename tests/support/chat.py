"""Conversations over Rasa's REST channel, as a channel has them."""

import uuid

import httpx


def say(
    client: httpx.Client, rasa_url: str, sender: str, text: str, metadata: dict | None = None
) -> list[dict]:
    """Sends one message over the REST channel and returns the bot's replies.

    ``metadata`` is what a channel adds, e.g. ``{"documento": reference}`` for an upload.
    """
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


class Chat:
    """One conversation over the REST channel: call it with a message, get the bot's replies."""

    def __init__(self, client: httpx.Client, rasa_url: str):
        self.client, self.rasa_url = client, rasa_url
        self.sender = f"e2e-{uuid.uuid4()}"

    def __call__(self, text: str, metadata: dict | None = None) -> list[dict]:
        return self.replies(text, metadata)

    def replies(self, text: str, metadata: dict | None = None) -> list[dict]:
        return say(self.client, self.rasa_url, self.sender, text, metadata)

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
