"""``POST /api/chat``: one widget message to Rasa's REST channel, the bot's replies back.

The body is ``{"id": …, "message": …, "metadata": {…}}``; a ``sender`` in it is ignored:
the conversation is the one the request's credential names (identity.py), or a new one.
During a live hand-over the message reaches Rasa all the same (paused, it only keeps it) and
the operator holding the chat (bot/channels/live_customer.py). Every message carries an id
chosen by the widget: a retry after a dropped connection gets
the answer already given instead of reaching the bot a second time. The body is capped
before it is parsed, and anything but that shape (not JSON, wrong types, lone surrogates,
too long) gets a 400 with an Italian message.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import OrderedDict

import httpx
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse

from actions.contract import (
    CHANNEL_KEY,
    CLIENT_KEY,
    DOCUMENT_KEY,
    PORTAL_TOKEN_KEY,
    RENEW_CREDENTIAL_KEY,
    WEB,
)
from backend import bootstrap
from backend.settings import Settings
from bot.channels.live_customer import tell_operator
from bot.channels.web.identity import Credential, Credentials
from bot.channels.web.limits import WebLimits, too_many
from bot.channels.web.portal import relay_portal_token

REMEMBERED_ANSWERS = 2000  # answers kept for retried message ids
MAX_MESSAGE_CHARS = 5000
# A message of MAX_MESSAGE_CHARS as JSON escapes (6 bytes a character) and the rest.
MAX_BODY_BYTES = 64 * 1024
_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
BAD_REQUEST = "Richiesta non valida: il messaggio non è stato inviato."
TOO_LONG = "Il messaggio è troppo lungo: scrivilo in più parti."
BOT_UNREACHABLE = "L'assistente non è raggiungibile in questo momento: riprova tra poco."
RENEWED = "La conversazione è stata rinnovata per sicurezza: scrivi di nuovo il messaggio."


class BadRequest(Exception):
    """A request refused with a 400; the message says why, in Italian."""

    def __init__(self, message: str = ""):
        self.message = message or BAD_REQUEST


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errore": message}, status_code=status)


async def read_json(request: Request, limit: int) -> object:
    """The body as JSON, read no further than ``limit`` bytes; every string in it encodable
    as UTF-8 (a lone surrogate such as "\\udcda" parses, then breaks whoever encodes it)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(TOO_LONG)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BadRequest(TOO_LONG)
    try:
        parsed = json.loads(body)
        json.dumps(parsed, ensure_ascii=False).encode()
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise BadRequest() from None
    return parsed


def parse_message(body: object) -> tuple[str, str, dict]:
    """The message's id, text and metadata, or BadRequest."""
    if not isinstance(body, dict):
        raise BadRequest()
    message_id, text, metadata = body.get("id"), body.get("message"), body.get("metadata", {})
    if not (
        isinstance(message_id, str)
        and _ID.fullmatch(message_id)
        and isinstance(text, str)
        and text.strip()
        and isinstance(metadata, dict)
    ):
        raise BadRequest()
    if len(text) > MAX_MESSAGE_CHARS:
        raise BadRequest(TOO_LONG)
    return message_id, text, metadata


def visible(replies: list) -> tuple[list, bool]:
    """The replies without the credential-renewal payload, and whether one asked for it."""
    kept, renew = [], False
    for reply in replies:
        custom = reply.get("custom") if isinstance(reply, dict) else None
        if isinstance(custom, dict) and RENEW_CREDENTIAL_KEY in custom:
            renew = True
            custom = {k: v for k, v in custom.items() if k != RENEW_CREDENTIAL_KEY}
            reply = {k: v for k, v in reply.items() if k != "custom"} | (
                {"custom": custom} if custom else {}
            )
            if set(reply) <= {"recipient_id"}:
                continue
        kept.append(reply)
    return kept, renew


class ChatProxy:
    """Forwards widget messages to Rasa's REST channel, once per conversation and message id."""

    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        limits: WebLimits,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.webhook = f"{settings.rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self.settings = settings
        self.portal_key = settings.portal_jwt_key
        self.credentials, self.limits = credentials, limits
        self.transport = transport
        self.client: httpx.AsyncClient | None = None
        # (conversation, message id) -> (replies, the credential renewed by that message)
        self.answers: OrderedDict[tuple[str, str], tuple[list, Credential | None]] = OrderedDict()
        self.pending: dict[tuple[str, str], asyncio.Future] = {}

    async def open(self) -> None:
        self.client = httpx.AsyncClient(transport=self.transport, timeout=60)

    async def close(self) -> None:
        if self.client:
            await self.client.aclose()

    async def ask(
        self, credential: Credential, message_id: str, text: str, metadata: dict
    ) -> tuple[list, Credential | None]:
        key = (credential.conversation, message_id)
        if key in self.answers:
            return self.answers[key]
        if key in self.pending:  # the same message retried while its first try still runs
            return await asyncio.shield(self.pending[key])
        future = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        try:
            body = {"sender": credential.sender, "message": text, "metadata": metadata}
            response = await self.client.post(self.webhook, json=body)
            response.raise_for_status()
            replies, renew = visible(response.json())
            # Once Rasa has it (a retry is answered from memory): the operator reads it too.
            await tell_operator(self._unit_of_work, credential.sender, text)
            renewed = await self.credentials.renew(credential, message_id) if renew else None
        except BaseException as failure:
            future.set_exception(failure)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            del self.pending[key]
        future.set_result((replies, renewed))
        self.answers[key] = (replies, renewed)
        while len(self.answers) > REMEMBERED_ANSWERS:
            self.answers.popitem(last=False)
        return replies, renewed

    def _unit_of_work(self):
        return bootstrap.unit_of_work(self.settings)

    def forwarded(self, metadata: dict, client: str) -> dict:
        """Only what the bot knows how to use; "canale" tells the flows they talk to the
        widget, "cliente" whom (the SMS budget counts by it)."""
        forwarded = {CHANNEL_KEY: WEB, CLIENT_KEY: client}
        document = metadata.get(DOCUMENT_KEY)
        if isinstance(document, str) and len(document) <= 200:
            forwarded[DOCUMENT_KEY] = document
        token = relay_portal_token(metadata.get(PORTAL_TOKEN_KEY), self.portal_key)
        if token:
            forwarded[PORTAL_TOKEN_KEY] = token
        return forwarded

    async def endpoint(self, request: Request) -> JSONResponse:
        try:
            return await self._answer(request)
        except RedisError:  # the renewed credentials cannot be checked: try again later
            return error(503, BOT_UNREACHABLE)

    async def _answer(self, request: Request) -> JSONResponse:
        client = self.limits.client_address.key(request)
        wait = await self.limits.chat_client.hit(client)
        if wait:
            return too_many(wait)
        try:
            message_id, text, metadata = parse_message(await read_json(request, MAX_BODY_BYTES))
        except BadRequest as refused:
            return error(400, refused.message)
        credential = await self.credentials.read(request, message_id)
        secure = request.url.scheme == "https"
        if credential is None:
            credential = self.credentials.new()
        elif credential.superseded and (credential.conversation, message_id) not in self.answers:
            # The renewing answer is not here to give again: never replay the message.
            return self.credentials.attach(error(409, RENEWED), self.credentials.new(), secure)
        wait = await self.limits.chat_conversation.hit(credential.conversation)
        if wait:
            return self.credentials.attach(too_many(wait), credential, secure)
        try:
            replies, renewed = await self.ask(
                credential, message_id, text, self.forwarded(metadata, client)
            )
        except httpx.HTTPError:
            return self.credentials.attach(error(503, BOT_UNREACHABLE), credential, secure)
        return self.credentials.attach(JSONResponse(replies), renewed or credential, secure)
