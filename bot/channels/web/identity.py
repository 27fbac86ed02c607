"""Who the web chat talks to: conversations the web app itself issued, never one a client names.

A conversation is 128 random bits; its Rasa sender id is ``web-<id>`` (actions/contract.py
``sender_id``), so no web client can reach a Telegram conversation (``telegram-…``) or one it
was not given. The client holds a *credential*: a JWT (HS256, a key derived from
``SECRET_KEY``) naming the conversation and the credential's nonce. It travels in an
HttpOnly cookie and, for pages embedding the widget from another site (where browsers may
block third-party cookies), in the ``X-Conversation`` header, which the widget sends back.
Every answer re-issues it, so it lapses only after ``WEB_CONVERSATION_HOURS`` without a message.

A login in the chat renews the credential (the actions add ``contract.RENEW_CREDENTIAL`` to
their reply): a new nonce is recorded for the conversation, and a credential with an older
nonce no longer reaches it, so a credential planted before the login (session fixation) is
worth nothing after it. The record lives in Redis when ``REDIS_URL`` is set, so that every
replica refuses the old credential; else in this process's memory (one replica only). It
outlives every credential issued before it (``WEB_CONVERSATION_HOURS`` and a minute).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import jwt
from starlette.requests import Request
from starlette.responses import Response

from actions.contract import WEB, sender_id
from backend.settings import Settings

COOKIE = "sportello_conversazione"
HEADER = "X-Conversation"
RECORD_PREFIX = "sportello-conversazione:"
REMEMBERED_RENEWALS = 100_000  # renewals the memory store keeps (a few MB)
CLOCK_SLACK = 60


@dataclass(frozen=True)
class Credential:
    conversation: str
    nonce: str
    # Accepted only to fetch the remembered answer of the message that renewed it (a retry
    # after the login's answer was lost on the way); see ``Credentials.read``.
    superseded: bool = False

    @property
    def sender(self) -> str:
        return sender_id(WEB, self.conversation)


def _random() -> str:
    return secrets.token_urlsafe(16)  # 128 bits


class RenewalStore(Protocol):
    """The current nonce of each conversation whose credential was renewed."""

    async def get(self, conversation: str) -> dict | None: ...

    async def put(self, conversation: str, record: dict, seconds: int) -> None: ...


class MemoryRenewals:
    def __init__(self) -> None:
        self.records: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    async def get(self, conversation: str) -> dict | None:
        expires, record = self.records.get(conversation, (0.0, None))
        return record if expires > time.time() else None

    async def put(self, conversation: str, record: dict, seconds: int) -> None:
        self.records[conversation] = (time.time() + seconds, record)
        self.records.move_to_end(conversation)
        while len(self.records) > REMEMBERED_RENEWALS:
            self.records.popitem(last=False)


class RedisRenewals:
    def __init__(self, redis_url: str):
        import redis.asyncio

        self.redis = redis.asyncio.from_url(redis_url)

    async def get(self, conversation: str) -> dict | None:
        stored = await self.redis.get(RECORD_PREFIX + conversation)
        return json.loads(stored) if stored else None

    async def put(self, conversation: str, record: dict, seconds: int) -> None:
        await self.redis.set(RECORD_PREFIX + conversation, json.dumps(record), ex=seconds)

    async def close(self) -> None:
        await self.redis.aclose()


class Credentials:
    """Issues, reads and renews the web conversations' credentials."""

    def __init__(self, settings: Settings, store: RenewalStore | None = None):
        secret = settings.secret_key.encode()
        self.key = hmac.new(secret, b"sportello: web conversation", hashlib.sha256).digest()
        self.seconds = settings.web_conversation_hours * 3600
        if store is None:
            redis_url = settings.redis_url
            store = RedisRenewals(redis_url) if redis_url else MemoryRenewals()
        self.store = store

    @staticmethod
    def new() -> Credential:
        return Credential(_random(), _random())

    def token(self, credential: Credential) -> str:
        now = int(time.time())
        claims = {"sub": credential.conversation, "n": credential.nonce, "iat": now}
        return jwt.encode({**claims, "exp": now + self.seconds}, self.key, algorithm="HS256")

    async def read(self, request: Request, message_id: str) -> Credential | None:
        """The credential the request carries (header first, then cookie) if this app issued
        it, it has not lapsed and no login renewed it since; else None."""
        for token in (request.headers.get(HEADER), request.cookies.get(COOKIE)):
            credential = self._decode(token)
            if credential is None:
                continue
            record = await self.store.get(credential.conversation)
            if record is None or record["nonce"] == credential.nonce:
                return credential
            if record.get("message") == message_id:  # the renewing message, retried
                return Credential(credential.conversation, record["nonce"], superseded=True)
        return None

    def _decode(self, token: str | None) -> Credential | None:
        if not token:
            return None
        try:
            claims = jwt.decode(
                token, self.key, algorithms=["HS256"], options={"require": ["sub", "n", "exp"]}
            )
        except (jwt.PyJWTError, ValueError):
            return None
        conversation, nonce = claims["sub"], claims["n"]
        if not (isinstance(conversation, str) and isinstance(nonce, str)):
            return None
        return Credential(conversation, nonce)

    async def renew(self, credential: Credential, message_id: str) -> Credential:
        """A new credential for the same conversation; every older one stops reaching it."""
        renewed = Credential(credential.conversation, _random())
        record = {"nonce": renewed.nonce, "message": message_id}
        await self.store.put(credential.conversation, record, self.seconds + CLOCK_SLACK)
        return renewed

    def attach(self, response: Response, credential: Credential, secure: bool) -> Response:
        """Gives the client its credential: the header for the widget, the cookie for
        browsers that keep it. ``SameSite=None`` (with ``Secure``) lets a widget embedded on
        another site send it; over plain HTTP (development) browsers require ``Lax``."""
        token = self.token(credential)
        response.headers[HEADER] = token
        response.set_cookie(
            COOKIE,
            token,
            max_age=self.seconds,
            path="/api",
            httponly=True,
            secure=secure,
            samesite="none" if secure else "lax",
        )
        return response
