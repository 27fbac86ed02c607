"""``GET /api/chat/diretta?dopo=N``: what an operator of Help OnLine (or the service) writes to
a web conversation during a live hand-over, pushed to the widget by long polling.

The widget asks with the number of the last message it showed; the answer comes at once when
newer ones exist, else when one is written (a wake-up) or after ``LIVE_FEED_WAIT_SECONDS``:
``{"stato": "attesa"|"attiva"|"nessuna", "messaggi": [{"id", "testo", "operatore",
"pulsanti"}]}``, "pulsanti" being buttons as the bot's ({"title", "payload"}: the rating's
👍 / 👎). "nessuna" (no waiting or active live chat) tells the widget to stop asking.

The conversation is the one the request's credential names (identity.py); without one the
answer is 401: this endpoint never opens a conversation, so nobody reads another's messages.

Waking up: ``LiveNotifier.publish(sender)`` wakes this process's waiters of that
conversation and, with ``REDIS_URL``, every other replica's through a Redis channel. Whoever
writes without publishing (the scheduler's timeouts) is caught by each waiter's re-check of
the database every ``LIVE_FEED_RECHECK_SECONDS``. A waiter costs an ``asyncio.Event`` and a
task watching for the client's disconnection; both end with the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from asyncio import FIRST_COMPLETED
from collections import defaultdict

from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend import bootstrap, live_chats
from backend.entities import Author, LiveChatState, LiveMessage
from backend.settings import Settings
from bot.channels.web.chat import error
from bot.channels.web.identity import Credentials
from bot.channels.web.limits import WebLimits, too_many

log = logging.getLogger(__name__)

CHANNEL = "sportello-diretta"
NO_CONVERSATION = (
    "Conversazione non riconosciuta: scrivi un messaggio nella chat per iniziarne una."
)
UNAVAILABLE = "Il servizio non è raggiungibile in questo momento: riprova tra poco."
BAD_AFTER = "Il parametro «dopo» deve essere un numero intero non negativo."
STATES = {LiveChatState.WAITING: "attesa", LiveChatState.ACTIVE: "attiva"}
NONE = "nessuna"
# No proxy may hold the answer back or keep it: it is for this client, now.
HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
REDIS_RETRY_SECONDS = 1.0


class LiveNotifier:
    """Wakes the long polls waiting on a conversation: here at once, elsewhere through Redis."""

    def __init__(self, redis_url: str = ""):
        self.waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self.redis_url = redis_url
        # This replica's mark on what it publishes: its own echo is not a second wake-up.
        self.origin = secrets.token_hex(8)
        self.redis = None
        self.listening: asyncio.Task | None = None

    async def open(self) -> None:
        if self.redis_url:
            import redis.asyncio

            self.redis = redis.asyncio.from_url(self.redis_url)
            subscribed = asyncio.Event()
            self.listening = asyncio.create_task(self._listen(subscribed))
            with contextlib.suppress(TimeoutError):  # Redis down: the re-checks still work
                await asyncio.wait_for(subscribed.wait(), 5)

    async def close(self) -> None:
        if self.listening:
            self.listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.listening
        if self.redis:
            await self.redis.aclose()

    def subscribe(self, sender: str) -> asyncio.Event:
        event = asyncio.Event()
        self.waiters[sender].add(event)
        return event

    def unsubscribe(self, sender: str, event: asyncio.Event) -> None:
        waiting = self.waiters.get(sender)
        if waiting is not None:
            waiting.discard(event)
            if not waiting:
                del self.waiters[sender]

    def wake(self, sender: str) -> None:
        """Wakes this replica's waiters of ``sender``."""
        for event in self.waiters.get(sender, ()):
            event.set()

    async def publish(self, sender: str) -> None:
        """A message for ``sender`` was written: its widget should ask now (the console's
        ``notify``). Redis down: logged, the other replicas' re-checks find it."""
        self.wake(sender)
        if self.redis is None:
            return
        try:
            await self.redis.publish(CHANNEL, f"{self.origin} {sender}")
        except RedisError as failure:
            log.warning("live feed: wake-up not published (%s)", type(failure).__name__)

    async def _listen(self, subscribed: asyncio.Event) -> None:
        """Relays the other replicas' wake-ups; reconnects when Redis goes away."""
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    subscribed.set()
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            origin, _, sender = message["data"].decode().partition(" ")
                            if origin != self.origin:
                                self.wake(sender)
            except (RedisError, OSError) as failure:
                log.warning("live feed: Redis subscription lost (%s)", type(failure).__name__)
                await asyncio.sleep(REDIS_RETRY_SECONDS)


def shown(message: LiveMessage) -> dict:
    """A message as the widget renders it: the operator's name marks an operator's message."""
    name = message.operator_name if message.author == Author.OPERATOR else None
    buttons = message.buttons or []
    return {"id": message.id, "testo": message.text, "operatore": name, "pulsanti": buttons}


class LiveFeed:
    """The endpoint, on the app's credentials, limits and database."""

    def __init__(
        self,
        settings: Settings,
        credentials: Credentials,
        limits: WebLimits,
        notifier: LiveNotifier,
    ):
        self.settings, self.credentials, self.limits = settings, credentials, limits
        self.notifier = notifier
        self.wait = settings.live_feed_wait_seconds
        self.recheck = settings.live_feed_recheck_seconds

    def read(self, sender: str, after: int) -> tuple[str, list[dict]]:
        """The conversation's state, then its messages after ``after`` (a chat that ends
        writes its last message as it ends: read in this order, none is missed)."""
        chat = live_chats.current(bootstrap.unit_of_work(self.settings), sender)
        state = STATES.get(chat.state, NONE) if chat else NONE
        messages = live_chats.messages_for_customer(
            bootstrap.unit_of_work(self.settings), sender, after
        )
        return state, [shown(m) for m in messages]

    async def endpoint(self, request: Request) -> JSONResponse:
        try:
            return await self._answer(request)
        except (RedisError, SQLAlchemyError):  # credentials or messages cannot be read now
            return error(503, UNAVAILABLE)

    async def _answer(self, request: Request) -> JSONResponse:
        wait = await self.limits.live_client.hit(self.limits.client_address.key(request))
        if wait:
            return too_many(wait)
        credential = await self.credentials.read(request, "")
        if credential is None:
            return error(401, NO_CONVERSATION)
        after = live_chats.message_number(request.query_params.get("dopo"))
        if after is None:
            return error(400, BAD_AFTER)
        wait = await self.limits.live_conversation.hit(credential.conversation)
        if wait:
            return too_many(wait)
        state, messages = await self._wait_for(request, credential.sender, after)
        return JSONResponse({"stato": state, "messaggi": messages}, headers=HEADERS)

    async def _wait_for(self, request: Request, sender: str, after: int):
        """Reads, and while there is nothing new in an open chat, waits for a wake-up, the
        next re-check, the end of the wait or the client going away."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait
        woken = self.notifier.subscribe(sender)
        gone = asyncio.create_task(_disconnected(request))
        try:
            while True:
                woken.clear()  # before reading: a wake-up during the read is not lost
                state, messages = await run_in_threadpool(self.read, sender, after)
                left = deadline - loop.time()
                if messages or state == NONE or left <= 0:
                    return state, messages
                wake = asyncio.ensure_future(woken.wait())
                await asyncio.wait(
                    {wake, gone}, timeout=min(self.recheck, left), return_when=FIRST_COMPLETED
                )
                wake.cancel()
                if gone.done():
                    return state, []
        finally:
            gone.cancel()
            self.notifier.unsubscribe(sender, woken)


async def _disconnected(request: Request) -> None:
    """Returns when the client goes away (a GET has no body left to read)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
