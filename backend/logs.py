"""Structured logs: one JSON object a line (``LOG_FORMAT=json``), carrying the id of the
request being served, so that a log store can follow one request across the processes.

Only what the code puts in a log record's message and fields is written; no process logs a
customer's message (their text may hold a password or a code).
"""

from __future__ import annotations

import json
import logging
import uuid
from contextvars import ContextVar

from backend.settings import Settings

REQUEST_ID_HEADER = "X-Request-ID"
request_id: ContextVar[str] = ContextVar("request_id", default="")


def new_request_id(given: str | None = None) -> str:
    """The caller's id when it looks like one (a proxy's), else a fresh one."""
    if given and len(given) <= 64 and given.replace("-", "").isalnum():
        return given
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message, request id, extra fields."""

    FIELDS = ("endpoint", "method", "status", "ms", "process")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id.get():
            line["request_id"] = request_id.get()
        line |= {name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)}
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(settings: Settings, level: int = logging.INFO) -> None:
    """JSON lines on the root logger when ``LOG_FORMAT=json``; otherwise the process keeps
    its own (uvicorn's, rasa-sdk's) text logs."""
    if settings.log_format != "json":
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
