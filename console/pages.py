"""What every console page shares: templates, Italian dates, refusals, security headers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from backend.masking import mask_personal_data

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Staff work in Italy: times are shown in Italian time, stored in UTC.
ITALY = ZoneInfo("Europe/Rome")

# Fixed confirmations chosen by a query parameter after a redirect: nothing typed is echoed.
DONE = {
    "segnato": "Messaggio segnato come non compreso: comparirà nell'export per l'addestramento.",
    "presa": "Richiesta presa in carico.",
    "nota": "Nota aggiunta.",
    "chiusa": "Richiesta chiusa: il cliente riceve l'esito.",
    "uscito": "Sei uscito dalla console.",
}


def local_time(value: datetime, pattern: str = "%d/%m/%Y %H:%M") -> str:
    if value.tzinfo is None:  # the backend stores UTC without a zone
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ITALY).strftime(pattern)


def today() -> date:
    return datetime.now(ITALY).date()


def parse_day(value: str | None) -> date | None:
    """A date from a form (``2026-11-26``); None when empty or not a date."""
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def percent(share: float, decimals: int = 0) -> str:
    """Italian style: 0.056 → "5,6%"."""
    return f"{share * 100:.{decimals}f}%".replace(".", ",")


TEMPLATES.env.filters["ora"] = local_time
TEMPLATES.env.filters["percento"] = percent
TEMPLATES.env.filters["mascherato"] = mask_personal_data


def render(request: Request, template: str, status: int = 200, **context) -> Response:
    session = getattr(request.state, "staff", None)
    context = {
        "staff": session,
        "csrf": session.csrf_token if session else "",
        "done": DONE.get(request.query_params.get("fatto", "")),
        **context,
    }
    return TEMPLATES.TemplateResponse(request, template, context, status_code=status)


def refused(request: Request, status: int, message: str) -> Response:
    return render(request, "errore.html", status, message=message)


class SecurityHeaders(BaseHTTPMiddleware):
    """Console pages hold personal data: never cached, never framed, no foreign scripts."""

    HEADERS = {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }

    async def dispatch(self, request: Request, call_next) -> Response:
        response = await call_next(request)
        response.headers.update(self.HEADERS)
        return response
