"""Webhook mode of the Telegram bridge (production): Telegram POSTs updates to us.

Telegram calls ``TELEGRAM_WEBHOOK_URL``; we listen on ``TELEGRAM_WEBHOOK_LISTEN`` /
``TELEGRAM_WEBHOOK_PORT`` (behind a TLS proxy). Telegram sends back the secret given to
``setWebhook`` (``TELEGRAM_WEBHOOK_SECRET``, else a random one) in the
``X-Telegram-Bot-Api-Secret-Token`` header; any request without it is refused, so nobody
else can inject updates. The server is a small Starlette app on uvicorn, as in
python-telegram-bot's custom webhook example.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from backend.settings import Settings
from bot.channels import ops

log = logging.getLogger("bot.telegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(
    application: Application, path: str, secret: str, *checks: tuple[str, ops.Check]
) -> Starlette:
    """The ASGI app that receives Telegram's updates on ``path`` and queues them; it is ready
    when ``checks`` pass (Rasa answers)."""

    async def receive(request: Request) -> Response:
        """Queues one update sent by Telegram."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call refused: wrong secret token")
            return Response(status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except ValueError:
            return Response(status_code=400)
        await application.update_queue.put(update)
        return Response()

    return Starlette(
        routes=[Route(path, receive, methods=["POST"]), *ops.routes(*checks)],
        middleware=[Middleware(ops.Observed, process="telegram")],
    )


async def serve(application: Application, settings: Settings) -> None:
    """Registers the webhook with Telegram and serves it until interrupted."""
    url, listen, port = (
        settings.telegram_webhook_url,
        settings.telegram_webhook_listen,
        settings.telegram_webhook_port,
    )
    # token_urlsafe fits the characters Telegram allows.
    secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
    app = webhook_app(application, urlsplit(url).path or "/", secret, ops.rasa_ready(settings))
    server = uvicorn.Server(uvicorn.Config(app, host=listen, port=port, log_level="warning"))
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
                url, secret_token=secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("Telegram bridge on webhook, listening on %s:%s", listen, port)
            await serving
        finally:
            server.should_exit = True
            await serving
            await application.stop()
            if application.post_shutdown:
                await application.post_shutdown(application)
