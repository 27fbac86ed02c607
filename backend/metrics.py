"""Prometheus metrics of every app process (web app, action server, Telegram bridge,
dispatcher), in one place so that a dashboard finds the same names everywhere.

The web app and the Telegram webhook serve ``/metrics`` on their own port; the action server
and the dispatcher (and the bridge when it polls) start a small metrics server on
``METRICS_PORT`` (0: none). Labels are bounded sets (route templates, action and flow names,
channels): never a sender id or a message.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

from backend.settings import Settings

# Seconds: a FAQ answer takes ~50 ms on an idle stack, a form step with Argon2 ~0.3 s, and
# anything above Rasa's 10 s action timeout is a failure (README, Performance).
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter(
    "sportello_http_requests", "HTTP requests answered", ["process", "endpoint", "status"]
)
LATENCY = Histogram(
    "sportello_http_request_seconds",
    "Time to answer an HTTP request",
    ["process", "endpoint"],
    buckets=LATENCY_BUCKETS,
)
MESSAGES = Counter("sportello_messages", "Customer messages relayed to the bot", ["channel"])
ACTIONS = Counter("sportello_actions", "Custom actions run", ["action", "result"])
ACTION_LATENCY = Histogram(
    "sportello_action_seconds", "Time to run a custom action", ["action"], buckets=LATENCY_BUCKETS
)
# The fallback rate is fallbacks / messages over the same window (PromQL rate()).
FALLBACKS = Counter("sportello_fallbacks", "Messages the bot did not understand")
FLOW_OUTCOMES = Counter("sportello_flow_outcomes", "Flows ended", ["flow", "outcome"])
OUTBOX_DELIVERIES = Counter(
    "sportello_outbox_deliveries", "E-mails and SMS handed to a transport", ["channel", "result"]
)
OUTBOX_BACKLOG = Gauge("sportello_outbox_backlog", "Outbox messages waiting to be sent")


def serve(settings: Settings) -> None:
    """The metrics server of a process without its own HTTP app, when ``METRICS_PORT`` is set."""
    if settings.metrics_port:
        start_http_server(settings.metrics_port, addr=settings.metrics_listen)
