"""Who may use the console: a staff session in a cookie, a CSRF token on every form.

The session lives in the backend database (only a hash of the cookie's token is stored), so
logging out and the idle timeout hold on every server. Every POST must carry the session's
CSRF token and, when the browser says where it comes from, come from this site; the login
form, which has no session yet, uses a token in a cookie of its own (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backend import bootstrap, staff
from backend.entities import StaffRole
from backend.staff import StaffSession

PREFIX = "/console"
SESSION_COOKIE = "sportello_console"
LOGIN_CSRF_COOKIE = "sportello_console_accesso"
CSRF_FIELD = "csrf"

Handler = Callable[[Request], Awaitable[Response]]


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """HttpOnly, SameSite=Strict, only under /console; Secure whenever the page came over TLS."""
    response.set_cookie(
        name,
        value,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(given: object, expected: str | None) -> bool:
    return isinstance(given, str) and bool(expected) and hmac.compare_digest(given, expected)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


async def current_staff(request: Request) -> StaffSession | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    return await run_in_threadpool(staff.session_for, bootstrap.unit_of_work(), token)


def login_redirect(request: Request) -> RedirectResponse:
    back = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return RedirectResponse(f"{PREFIX}/accesso?dopo={back}", status_code=303)


def staff_only(
    refused: Callable[[Request, int, str], Response], role: StaffRole | None = None
) -> Callable[[Handler], Handler]:
    """Wraps a console endpoint: a staff session (of ``role``, if given) and, on POST, CSRF.

    ``refused(request, status, message)`` renders the refusal. The session is in
    ``request.state.staff``, a POST's fields in ``request.state.form``.
    """

    def wrap(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            session = await current_staff(request)
            if session is None:
                if request.method == "GET":
                    return login_redirect(request)
                return refused(request, 401, "La sessione è scaduta: accedi di nuovo.")
            request.state.staff = session
            if role is not None and session.role != role:
                return refused(request, 403, "Questa funzione è riservata ai supervisori.")
            if request.method == "POST":
                form = await request.form()
                if not (
                    same_origin(request) and tokens_match(form.get(CSRF_FIELD), session.csrf_token)
                ):
                    return refused(
                        request, 403, "Richiesta non valida: ricarica la pagina e riprova."
                    )
                request.state.form = form
            return await handler(request)

        return endpoint

    return wrap
