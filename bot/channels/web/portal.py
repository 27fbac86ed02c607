"""The portal's side of the web app: its login hand-off to the chat and the demo pages.

The portal gives the widget a short-lived HS256 JWT for its logged-in user; the chat relays
it to the bot re-signed. The demo portal page (``/``) and the portal pages the answers link
stand in for the real portal in development.
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from string import Template

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse

from backend.settings import Settings

STATIC = Path(__file__).parent / "static"
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
    except (jwt.InvalidTokenError, ValueError):
        return None
    return portal_token(str(claims["sub"]), key, RELAYED_TOKEN_SECONDS)


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
