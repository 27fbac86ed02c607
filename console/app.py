"""The console's routes, mounted by the web app under /console."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from backend import bootstrap, staff
from backend.errors import Conflict, Throttled
from console import analytics_pages, conversation_pages, handover_pages, live_pages
from console.auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    PREFIX,
    SESSION_COOKIE,
    current_staff,
    new_token,
    same_origin,
    set_cookie,
    staff_only,
    tokens_match,
)
from console.conversations import ConversationIndex
from console.pages import SecurityHeaders, refused, render
from console.rasa_conversation import RasaConversation

HOME = f"{PREFIX}/conversazioni"
STATIC = Path(__file__).parent / "static"
WRONG_LOGIN = "Username o password non corretti."


def next_page(value: object) -> str:
    """Where to go after logging in: only a console page, never another site."""
    if isinstance(value, str) and value.startswith(f"{PREFIX}/") and "//" not in value:
        return value
    return HOME


async def login_page(request: Request, status: int = 200, error: str = "") -> Response:
    if status == 200 and await current_staff(request) is not None:
        return RedirectResponse(next_page(request.query_params.get("dopo")), status_code=303)
    token = new_token()
    response = render(
        request,
        "accesso.html",
        status,
        login_csrf=token,
        after=next_page(request.query_params.get("dopo")),
        error=error,
    )
    set_cookie(request, response, LOGIN_CSRF_COOKIE, token)
    return response


async def login(request: Request) -> Response:
    form = await request.form()
    if not (
        same_origin(request)
        and tokens_match(form.get(CSRF_FIELD), request.cookies.get(LOGIN_CSRF_COOKIE))
    ):
        return await login_page(request, 403, "La pagina di accesso è scaduta: riprova.")
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    uow = bootstrap.unit_of_work()
    try:
        user = await run_in_threadpool(staff.authenticate_staff, uow, username, password)
    except Throttled as error:
        return await login_page(request, 429, error.message_it)
    except Conflict:  # two first failures of one username at once: still a failure
        user = None
    if user is None:
        return await login_page(request, 401, WRONG_LOGIN)
    token, _csrf = await run_in_threadpool(staff.open_session, bootstrap.unit_of_work(), user.id)
    response = RedirectResponse(next_page(form.get("dopo")), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=PREFIX)
    return response


@staff_only(refused)
async def logout(request: Request) -> Response:
    token = request.cookies[SESSION_COOKIE]
    await run_in_threadpool(staff.close_session, bootstrap.unit_of_work(), token)
    response = RedirectResponse(f"{PREFIX}/accesso?fatto=uscito", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


async def home(_request: Request) -> Response:
    return RedirectResponse(HOME, status_code=303)


async def not_found(request: Request, _exc: Exception) -> Response:
    return refused(request, 404, "Pagina non trovata.")


class OnFirstUse:
    """Opens the index (tables, watermark) at the first request, not when the app is built."""

    def __init__(self, factory: Callable[[], ConversationIndex]):
        self._factory = factory
        self._index: ConversationIndex | None = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        with self._lock:
            if self._index is None:
                self._index = self._factory()
        return getattr(self._index, name)


def make_console(
    index: ConversationIndex | None = None,
    rasa: RasaConversation | None = None,
    notify: live_pages.Notify | None = None,
) -> Starlette:
    """The console app; ``index`` reads the tracker store (default: TRACKER_STORE_URL),
    ``rasa`` pauses and resumes conversations (default: RASA_URL), ``notify(sender_id)`` is
    awaited after «In diretta» wrote to a customer, to wake their channel at once."""
    index = index or OnFirstUse(ConversationIndex)
    routes = [
        Route("/", home),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/accesso", login_page, methods=["GET"]),
        Route("/accesso", login, methods=["POST"]),
        Route("/esci", logout, methods=["POST"]),
        *conversation_pages.routes(index),
        *handover_pages.routes(index),
        *live_pages.routes(index, rasa, notify),
        *analytics_pages.routes(index),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: not_found},
    )
