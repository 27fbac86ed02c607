"""The action server as deployed: rasa-sdk's, plus what operations ask of it.

``python -m actions.server --port 5055`` (rasa-sdk's own options) serves, besides rasa-sdk's
``/webhook`` and ``/health``: ``/healthz`` (the process answers), ``/readyz`` (the backend
database answers; 503 otherwise), ``/metrics`` (Prometheus: every action run, its time and
whether it failed; the flows' outcomes and the fallbacks, which the actions count). One Sanic
worker per process: Prometheus counters live in the process, so scale with processes (pods).
"""

from __future__ import annotations

import time
from functools import partial

import sqlalchemy as sa
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rasa_sdk.endpoint import create_app_for_serve, create_argument_parser
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.worker.loader import AppLoader

from backend import bootstrap, logs, metrics
from backend.settings import settings_or_exit


def _database_answers() -> None:
    with bootstrap.engine().connect() as connection:
        connection.execute(sa.text("SELECT 1"))


async def alive(_request) -> response.HTTPResponse:
    return response.text("ok")


async def ready(request) -> response.HTTPResponse:
    try:
        await request.app.loop.run_in_executor(None, _database_answers)
    except Exception:  # any failure means "not ready"
        return response.json({"pronto": False, "non_raggiungibili": ["database"]}, status=503)
    return response.json({"pronto": True, "non_raggiungibili": []})


async def exposition(_request) -> response.HTTPResponse:
    return response.raw(generate_latest(), content_type=CONTENT_TYPE_LATEST)


async def _started(request) -> None:
    request.ctx.started = time.perf_counter()


async def _measured(request, reply) -> None:
    """Counts and times each request; an action call also per action (a bounded set)."""
    seconds = time.perf_counter() - getattr(request.ctx, "started", time.perf_counter())
    endpoint = "/" + request.route.path.strip("/") if request.route else "other"
    metrics.REQUESTS.labels("actions", endpoint, str(reply.status)).inc()
    metrics.LATENCY.labels("actions", endpoint).observe(seconds)
    if endpoint == "/webhook" and isinstance(request.json, dict):
        action = str(request.json.get("next_action", "?"))[:80]
        metrics.ACTIONS.labels(action, "ok" if reply.status == 200 else "failed").inc()
        metrics.ACTION_LATENCY.labels(action).observe(seconds)


def make_app(executor: ActionExecutor, **options) -> Sanic:
    """rasa-sdk's app with the routes and the measuring middleware (one per worker)."""
    app = create_app_for_serve(executor, **options)
    app.add_route(alive, "/healthz", methods=["GET"])
    app.add_route(ready, "/readyz", methods=["GET"])
    app.add_route(exposition, "/metrics", methods=["GET"])
    app.register_middleware(_started, "request")
    app.register_middleware(_measured, "response")
    return app


def main() -> None:
    args = create_argument_parser().parse_args()
    logs.configure(settings_or_exit())
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(factory=partial(make_app, executor, endpoints=args.endpoints))
    app = loader.load()
    app.prepare(host="0.0.0.0", port=args.port, workers=1)
    Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
