"""The web app on port 8000: the demo portal page, the chat widget's assets and its API.

The widget talks only to this app, never to Rasa directly. One module per capability:
- ``chat.py``: ``POST /api/chat``, one message to Rasa's REST channel, the replies back;
- ``identity.py``: the conversation the web app issued, never one a client names;
- ``limits.py``: rate limits per client address and per conversation;
- ``live_feed.py``: ``GET /api/chat/diretta``, an operator's messages pushed to the widget
  during a live hand-over (long polling);
- ``uploads.py``: ``POST /api/documenti``, identity documents for a delega;
- ``portal.py``: the portal's login hand-off and the demo portal pages;
- ``/console`` is the staff console (the ``console`` package).
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from actions.contract import WEB
from backend import logs
from backend.settings import Settings, settings_or_exit
from bot.channels import ops
from bot.channels.web.chat import ChatProxy
from bot.channels.web.identity import HEADER, Credentials
from bot.channels.web.limits import WebLimits
from bot.channels.web.live_feed import LiveFeed, LiveNotifier
from bot.channels.web.portal import DEMO_PAGES, STATIC, demo_page, portal_page
from bot.channels.web.uploads import Uploads
from console.app import make_console


def make_app(
    settings: Settings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    notifier: LiveNotifier | None = None,
) -> Starlette:
    """The app on the given settings, else on the process's (refused ones end the process).

    ``RASA_URL`` is where Rasa listens; ``WIDGET_ORIGINS`` lists the other sites that embed
    the widget: their pages may call the API from the browser (CORS, with the credential's
    cookie and header). This site's own pages always may.
    """
    settings = settings or settings_or_exit()
    logs.configure(settings)
    credentials, limits = Credentials(settings), WebLimits(settings)
    proxy = ChatProxy(settings, credentials, limits, transport)
    # Wakes the widgets of a conversation an operator wrote to (the console's ``notify``).
    notifier = notifier or LiveNotifier(settings.redis_url)
    feed = LiveFeed(settings, credentials, limits, notifier)

    @asynccontextmanager
    async def lifespan(_app):
        await proxy.open()
        await notifier.open()
        yield
        await notifier.close()
        await proxy.close()

    app = Starlette(
        routes=[
            Route("/", portal_page),
            *ops.routes(ops.database_ready(settings), ops.rasa_ready(settings)),
            *(Route(path, demo_page) for path in DEMO_PAGES),
            Route("/api/chat", proxy.endpoint, methods=["POST"]),
            Route("/api/chat/diretta", feed.endpoint, methods=["GET"]),
            Route("/api/documenti", Uploads(credentials, limits).endpoint, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            Mount("/console", app=make_console(notify=notifier.publish)),
        ],
        middleware=[
            Middleware(ops.Observed, process="web", channels={"/api/chat": WEB}),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.widget_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                allow_credentials=True,
                expose_headers=[HEADER, "Retry-After"],
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


app = make_app()
