"""Transcripts as files: JSON (one object per conversation) or CSV (one row per message).

The pages hand over texts already masked. CSV cells that a spreadsheet would run as a
formula are quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json

from starlette.responses import Response

from console.conversations import ConversationRow, Turn

Conversation = tuple[ConversationRow, list[Turn]]
MESSAGE_KINDS = ("user", "bot")
WHO = {"user": "cliente", "bot": "assistente"}
CSV_COLUMNS = [
    "conversazione",
    "canale",
    "inizio",
    "esito",
    "ora",
    "chi",
    "testo",
    "intento",
    "confidenza",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _message(turn: Turn) -> dict:
    return {
        "ora": turn.at.isoformat(),
        "chi": WHO[turn.kind],
        "testo": turn.text or "",
        "intento": turn.intent or "",
        "confidenza": round(turn.confidence, 3) if turn.confidence is not None else "",
    }


def _conversation(row: ConversationRow, turns: list[Turn]) -> dict:
    return {
        "conversazione": row.id,
        "canale": row.channel,
        "inizio": row.started_at.isoformat(),
        "fine": row.last_at.isoformat(),
        "esito": row.outcome,
        "messaggi": [_message(turn) for turn in turns if turn.kind in MESSAGE_KINDS],
    }


def as_json(conversations: list[Conversation]) -> str:
    return json.dumps([_conversation(*c) for c in conversations], ensure_ascii=False, indent=1)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_csv(conversations: list[Conversation]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS)
    writer.writeheader()
    for row, turns in conversations:
        conversation = _conversation(row, turns)
        for message in conversation.pop("messaggi"):
            record = {key: conversation[key] for key in CSV_COLUMNS[:4]} | message
            writer.writerow({key: _cell(value) for key, value in record.items()})
    return out.getvalue()


def response(kind: str | None, conversations: list[Conversation], name: str) -> Response:
    """A download; CSV unless JSON is asked for."""
    if kind == "json":
        body, media_type, extension = as_json(conversations), "application/json", "json"
    else:
        body, media_type, extension = as_csv(conversations), "text/csv; charset=utf-8", "csv"
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )
