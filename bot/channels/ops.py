"""What operations ask of an HTTP process of the channels (web app, Telegram webhook):
``/healthz`` (the process answers: liveness), ``/readyz`` (its dependencies answer:
readiness, 503 with the names of those that do not), ``/metrics`` (Prometheus), and a
middleware that times and counts every request per route and gives it a request id (the
``X-Request-ID`` header, echoed back, and in every JSON log line written meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import httpx
import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from backend import bootstrap, logs, metrics
from backend.settings import Settings

log = logging.getLogger("sportello.http")
Check = Callable[[], Awaitable[None]]  # raises when the dependency does not answer
CHECK_SECONDS = 2.0
READY_SECONDS = 1.0
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})  # probes: counted, not logged


def database_ready(settings: Settings) -> tuple[str, Check]:
    """The backend database answers a query."""

    def query() -> None:
        with bootstrap.engine(settings).connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    async def check() -> None:
        await run_in_threadpool(query)

    return "database", check


def rasa_ready(settings: Settings) -> tuple[str, Check]:
    """The Rasa server (or the router in front of it) answers."""

    async def check() -> None:
        async with httpx.AsyncClient(timeout=CHECK_SECONDS) as client:
            (await client.get(settings.rasa_url.rstrip("/") + "/")).raise_for_status()

    return "rasa", check


async def _answers(check: Check) -> bool:
    try:
        await asyncio.wait_for(check(), CHECK_SECONDS)
    except Exception:  # any failure means "not ready"; the reason is in its own log
        return False
    return True


def routes(*checks: tuple[str, Check]) -> list[Route]:
    """``/healthz``, ``/readyz`` over ``checks``, ``/metrics``."""

    async def alive(_request: Request) -> Response:
        return PlainTextResponse("ok")

    # The process is public: however many ask, the dependencies are asked at most once per
    # READY_SECONDS (a flood of /readyz is not a flood of database queries and Rasa calls).
    lock, last = asyncio.Lock(), {"at": -READY_SECONDS, "failed": []}

    async def ready(_request: Request) -> Response:
        async with lock:
            if time.monotonic() - last["at"] >= READY_SECONDS:
                last["failed"] = [name for name, check in checks if not await _answers(check)]
                last["at"] = time.monotonic()
        failed = last["failed"]
        status = 503 if failed else 200
        return JSONResponse({"pronto": not failed, "non_raggiungibili": failed}, status)

    async def exposition(_request: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return [
        Route("/healthz", alive, methods=["GET"]),
        Route("/readyz", ready, methods=["GET"]),
        Route("/metrics", exposition, methods=["GET"]),
    ]


class Observed:
    """ASGI middleware: request id, per-route count and latency, one log line a request
    (method, route, status, time: never a query string or a body), messages per channel.

    ``channels`` maps the routes that carry a customer's message to their channel.
    """

    def __init__(self, app, process: str, channels: dict[str, str] | None = None):
        self.app, self.process, self.channels = app, process, channels or {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given = dict(scope["headers"]).get(logs.REQUEST_ID_HEADER.lower().encode(), b"")
        request_id = logs.new_request_id(given.decode("latin-1"))
        token = logs.request_id.set(request_id)
        status = 500

        async def send_with_id(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = (logs.REQUEST_ID_HEADER.lower().encode(), request_id.encode())
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)
            logs.request_id.reset(token)

    def _record(self, scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        endpoint = getattr(route, "path", None) or "other"  # a template: bounded labels
        metrics.REQUESTS.labels(self.process, endpoint, str(status)).inc()
        metrics.LATENCY.labels(self.process, endpoint).observe(seconds)
        if status == 200 and endpoint in self.channels:
            metrics.MESSAGES.labels(self.channels[endpoint]).inc()
        if endpoint not in QUIET:
            fields = {"method": scope["method"], "endpoint": endpoint, "status": status}
            log.info("request", extra={**fields, "ms": round(seconds * 1000, 1)})
