"""The web app on port 8000: the demo portal page, the chat widget's assets and its API.

The widget talks only to this app, never to Rasa directly:
- ``POST /api/chat`` forwards one message to Rasa's REST channel and returns the bot's replies.
  Every message carries an id chosen by the widget: a retry after a dropped connection gets
  the answer already given instead of sending the message to the bot a second time.
- ``/console`` is the staff console (the ``console`` package).
- ``POST /api/documenti`` stores an identity document through the backend (PDF, JPEG, PNG,
  at most 5 MB, checked by content) and returns the reference the widget hands to the bot.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections import OrderedDict
from contextlib import asynccontextmanager
from pathlib import Path
from string import Template

import httpx
import jwt
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from actions.contract import CHANNEL_KEY, DOCUMENT_KEY, PORTAL_TOKEN_KEY, WEB
from backend import bootstrap, documents, logs
from backend.errors import InvalidInput
from backend.settings import Settings, settings_or_exit
from bot.channels import ops
from console.app import make_console

STATIC = Path(__file__).parent / "static"
REMEMBERED_ANSWERS = 2000  # answers kept for retried message ids
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f<>\"'\\/]")
MAX_MESSAGE_CHARS = 5000
BAD_REQUEST = "Richiesta non valida."
BOT_UNREACHABLE = "L'assistente non è raggiungibile in questo momento: riprova tra poco."
TOO_BIG = "Il documento supera la dimensione massima di 5 MB."


RELAYED_TOKEN_SECONDS = 60


def portal_token(subject: str, key: str, seconds: int = 30 * 60) -> str:
    """What the portal gives the widget for a logged-in user: a short-lived HS256 JWT."""
    now = int(time.time())
    return jwt.encode({"sub": subject, "iat": now, "exp": now + seconds}, key, algorithm="HS256")


def relay_portal_token(token: object, key: str | None) -> str | None:
    """The portal's token, checked and re-signed to live a minute, or None when not valid.

    Rasa keeps every message's metadata in its tracker store: what it keeps must not work
    as a login for the rest of the portal token's life.
    """
    if not (isinstance(token, str) and key):
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["sub", "exp"]})
    except jwt.InvalidTokenError:
        return None
    return portal_token(str(claims["sub"]), key, RELAYED_TOKEN_SECONDS)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errore": message}, status_code=status)


async def portal_page(request: Request) -> HTMLResponse:
    """The demo portal page that embeds the widget.

    With ``PORTAL_DEMO_USER`` and ``PORTAL_JWT_KEY`` set (development only), the page plays a
    portal where that user is logged in: the widget gets a signed token and the chat starts
    authenticated.
    """
    page = (STATIC / "index.html").read_text()
    settings: Settings = request.app.state.settings
    user, key = settings.portal_demo_user, settings.portal_jwt_key
    token = f' data-token="{html.escape(portal_token(user, key))}"' if user and key else ""
    return HTMLResponse(page.replace(" data-token-slot", token))


# The portal's pages the bot links, as the demo serves them: path -> (title, what it is,
# the variable that points to the real page in production).
DEMO_PAGES = {
    "/clausole-legali": ("Clausole legali del portale", "il testo delle clausole", "CLAUSES_URL"),
    "/clausole-delega": (
        "Clausole legali della delega",
        "il testo delle clausole della delega",
        "DELEGATION_CLAUSES_URL",
    ),
    "/portale/help-online": ("Help OnLine", "Help OnLine", "HELP_ONLINE_URL"),
    "/portale/registrazione": (
        "Registrazione",
        "il form di registrazione",
        "REGISTRATION_URL",
    ),
    "/portale/area-produttori": (
        "Area Produttori",
        "la registrazione per l'Area Produttori",
        "PRODUCER_REGISTRATION_URL",
    ),
}


async def demo_page(request: Request) -> HTMLResponse:
    """A page of the portal the answers link, as the demo stands it in."""
    title, what, variable = DEMO_PAGES[request.url.path]
    page = Template((STATIC / "pagina-demo.html").read_text())
    return HTMLResponse(page.substitute(title=title, what=what, variable=variable))


class ChatProxy:
    """Forwards widget messages to Rasa's REST channel, once per message id."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self.webhook = f"{settings.rasa_url.rstrip('/')}/webhooks/rest/webhook"
        self.portal_key = settings.portal_jwt_key
        self.transport = transport
        self.client: httpx.AsyncClient | None = None
        self.answers: OrderedDict[tuple[str, str], list] = OrderedDict()
        self.pending: dict[tuple[str, str], asyncio.Future] = {}

    async def open(self) -> None:
        self.client = httpx.AsyncClient(transport=self.transport, timeout=60)

    async def close(self) -> None:
        if self.client:
            await self.client.aclose()

    async def ask(self, sender: str, message_id: str, text: str, metadata: dict) -> list:
        key = (sender, message_id)
        if key in self.answers:
            return self.answers[key]
        if key in self.pending:  # the same message retried while its first try still runs
            return await asyncio.shield(self.pending[key])
        future = asyncio.get_running_loop().create_future()
        self.pending[key] = future
        try:
            response = await self.client.post(
                self.webhook, json={"sender": sender, "message": text, "metadata": metadata}
            )
            response.raise_for_status()
            replies = response.json()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning without waiters
            raise
        finally:
            del self.pending[key]
        future.set_result(replies)
        self.answers[key] = replies
        while len(self.answers) > REMEMBERED_ANSWERS:
            self.answers.popitem(last=False)
        return replies

    async def endpoint(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, BAD_REQUEST)
        if not isinstance(body, dict):
            return _error(400, BAD_REQUEST)
        sender, message_id, text = body.get("sender"), body.get("id"), body.get("message")
        metadata = body.get("metadata", {})
        if not (
            isinstance(sender, str)
            and _ID.match(sender)
            and isinstance(message_id, str)
            and _ID.match(message_id)
            and isinstance(text, str)
            and 0 < len(text.strip()) <= MAX_MESSAGE_CHARS
            and isinstance(metadata, dict)
        ):
            return _error(400, BAD_REQUEST)
        # Only what the bot knows how to use; "canale" tells the flows they talk to the widget.
        forwarded = {CHANNEL_KEY: WEB}
        document = metadata.get(DOCUMENT_KEY)
        if isinstance(document, str) and len(document) <= 200:
            forwarded[DOCUMENT_KEY] = document
        token = relay_portal_token(metadata.get(PORTAL_TOKEN_KEY), self.portal_key)
        if token:
            forwarded[PORTAL_TOKEN_KEY] = token
        try:
            replies = await self.ask(sender, message_id, text, forwarded)
        except httpx.HTTPError:
            return _error(503, BOT_UNREACHABLE)
        return JSONResponse(replies)


def _clean_name(name: str) -> str:
    """A file name fit to be shown back in the chat (no path, no markup, short)."""
    name = _UNPRINTABLE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:80] or "documento"


async def upload_document(request: Request) -> JSONResponse:
    """Stores an identity document for a delega; the bot gets the reference, not the bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > documents.MAX_DOCUMENT_BYTES:
        return _error(413, TOO_BIG)
    content, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > documents.MAX_DOCUMENT_BYTES:
            return _error(413, TOO_BIG)
        content.append(chunk)
    name = _clean_name(request.query_params.get("nome", ""))
    try:
        reference = await run_in_threadpool(
            documents.store_upload, bootstrap.unit_of_work(), b"".join(content)
        )
    except InvalidInput as error:
        return _error(415, error.message_it)
    return JSONResponse({"riferimento": reference, "nome": name}, status_code=201)


def make_app(
    settings: Settings | None = None, transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    """The app on the given settings, else on the process's (refused ones end the process).

    ``RASA_URL`` is where Rasa listens; ``WIDGET_ORIGINS`` lists the other sites that embed
    the widget: their pages may call the API from the browser (CORS). This site's own pages
    always may.
    """
    settings = settings or settings_or_exit()
    logs.configure(settings)
    proxy = ChatProxy(settings, transport)

    @asynccontextmanager
    async def lifespan(_app):
        await proxy.open()
        yield
        await proxy.close()

    app = Starlette(
        routes=[
            Route("/", portal_page),
            *ops.routes(ops.database_ready(settings), ops.rasa_ready(settings)),
            *(Route(path, demo_page) for path in DEMO_PAGES),
            Route("/api/chat", proxy.endpoint, methods=["POST"]),
            Route("/api/documenti", upload_document, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
            Mount("/console", app=make_console()),
        ],
        middleware=[
            Middleware(ops.Observed, process="web", channels={"/api/chat": WEB}),
            Middleware(
                CORSMiddleware,
                allow_origins=settings.widget_origins,
                allow_methods=["POST"],
                allow_headers=["*"],
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    return app


app = make_app()
