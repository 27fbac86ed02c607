"""Webhook mode of the Telegram bridge (production): Telegram POSTs updates to us.

Telegram sends back the secret given to ``setWebhook`` in the
``X-Telegram-Bot-Api-Secret-Token`` header; any request without it is refused, so nobody
else can inject updates. The server is a small Starlette app on uvicorn, as in
python-telegram-bot's custom webhook example.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

log = logging.getLogger("bot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class WebhookSettings:
    """Where Telegram reaches us (public URL) and where we listen (behind a proxy)."""

    url: str
    listen: str = "127.0.0.1"
    port: int = 8443
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: token_urlsafe fits.
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"


def webhook_app(application: Application, settings: WebhookSettings) -> Starlette:
    """The ASGI app that receives Telegram's updates and queues them for the handlers."""

    async def receive(request: Request) -> Response:
        """Queues one update sent by Telegram."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), settings.secret.encode()):
            log.warning("webhook call refused: wrong secret token")
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    async def health(_request: Request) -> Response:
        """Says the bridge is up."""
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(settings.path, receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


async def serve(application: Application, settings: WebhookSettings) -> None:
    """Registers the webhook with Telegram and serves it until interrupted."""
    server = uvicorn.Server(
        uvicorn.Config(
            webhook_app(application, settings),
            host=settings.listen,
            port=settings.port,
            log_level="warning",
        )
    )
    async with application:
        await application.start()
        # Listen first, then tell Telegram where to send: no update hits a closed port.
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if serving.done():
                    return await serving
                await asyncio.sleep(0.05)
            await application.bot.set_webhook(
                settings.url, secret_token=settings.secret, allowed_updates=Update.ALL_TYPES
            )
            log.info(
                "Telegram bridge on webhook, listening on %s:%s", settings.listen, settings.port
            )
            await serving
        finally:
            server.should_exit = True
            await serving
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)
