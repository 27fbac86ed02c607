"""The staff console's index of conversations: kept up to date from Rasa's events, listed,
searched and read back as transcripts.

The tables are in `conversation_tables`; how a conversation's events become its records and
its outcome, in `conversation_outcomes`.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from actions.contract import LISTEN_ACTION, SESSION_START_ACTION
from backend.db import make_engine
from backend.settings import get_settings
from console.conversation_outcomes import (
    OUTCOMES,
    SESSION_EXPIRY_SECONDS,
    conversations_by_sender,
    derive,
    split_sessions,
)
from console.conversation_tables import (
    CONVERSATIONS,
    DERIVED,
    EVENTS,
    FLOWS,
    INTENTS,
    MESSAGES,
    WATERMARK,
    WATERMARK_NAME,
    metadata,
    normalise,
)

# Staff read days in Italian time: "yesterday" starts at midnight in Rome.
DAY_ZONE = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Filters:
    text: str = ""
    since: date | None = None
    until: date | None = None
    channel: str | None = None
    outcome: str | None = None
    intent: str | None = None


@dataclass(frozen=True)
class ConversationRow:
    id: int
    sender_id: str
    channel: str
    started_at: datetime
    last_at: datetime
    user_messages: int
    events: int
    outcome: str
    outcome_it: str
    preview: str


@dataclass(frozen=True)
class Page:
    items: list[ConversationRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class Turn:
    """One line of a transcript; `kind` is user, bot, action, form, slot or session."""

    event_id: int
    at: datetime
    kind: str
    text: str | None = None
    intent: str | None = None
    confidence: float | None = None
    name: str | None = None  # the action, the response, the form (None: ended) or the slot
    buttons: list[str] = field(default_factory=list)


def day_start(day: date) -> float:
    """The Unix time at which `day` begins in Italy."""
    return datetime(day.year, day.month, day.day, tzinfo=DAY_ZONE).timestamp()


def local_day(timestamp: float) -> date:
    return datetime.fromtimestamp(timestamp, DAY_ZONE).date()


class ConversationIndex:
    """The conversations of the tracker store at `url`, indexed for the staff console."""

    def __init__(self, url: str | None = None, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.engine = make_engine(_app_driver(url or get_settings().resolved_tracker_store_url()))
        metadata.create_all(self.engine, checkfirst=True)
        try:
            with self.engine.begin() as db:
                if db.scalar(sa.select(WATERMARK.c.name)) is None:
                    db.execute(WATERMARK.insert().values(name=WATERMARK_NAME, last_event_id=0))
        except sa.exc.IntegrityError:
            pass  # another process started at the same time and wrote it

    def catch_up(self) -> int:
        """Indexes the events added since the last call; returns how many there were."""
        now = self.clock()
        if not self._behind(now):
            return 0
        with self.engine.begin() as db:
            # A write first: it takes the lock (the row in PostgreSQL, the database in
            # SQLite), so a second process waits here and then finds the work done.
            db.execute(WATERMARK.update().values(last_event_id=WATERMARK.c.last_event_id))
            low = db.scalar(sa.select(WATERMARK.c.last_event_id))
            high = db.scalar(sa.select(sa.func.max(EVENTS.c.id))) or low
            # Listed before the flows that make them idle are re-derived.
            idle = list(db.scalars(_idle_senders(now)))
            _reindex(db, _Touched(low, high, idle), now)
            db.execute(WATERMARK.update().values(last_event_id=high))
            return db.scalar(
                sa.select(sa.func.count()).where(EVENTS.c.id > low, EVENTS.c.id <= high)
            )

    def search(self, filters: Filters, page: int = 1, per_page: int = 25) -> Page:
        """Conversations where the user wrote something, newest first."""
        conditions = _conditions(filters)
        with self.engine.connect() as db:
            total = db.scalar(
                sa.select(sa.func.count()).select_from(CONVERSATIONS).where(*conditions)
            )
            pages = max(1, math.ceil(total / per_page))
            page = min(max(page, 1), pages)
            rows = db.execute(
                sa.select(CONVERSATIONS)
                .where(*conditions)
                .order_by(CONVERSATIONS.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
            return Page([_conversation_row(row) for row in rows], total, page, pages)

    def get(self, conversation_id: int) -> ConversationRow | None:
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation_id)
            ).first()
        return row and _conversation_row(row)

    def transcript(self, conversation_id: int) -> list[Turn]:
        """The conversation as Rasa stored it, up to the event written last."""
        with self.engine.connect() as db:
            sender_id = db.scalar(
                sa.select(CONVERSATIONS.c.sender_id).where(CONVERSATIONS.c.id == conversation_id)
            )
            if sender_id is None:
                return []
            following = db.scalar(
                sa.select(sa.func.min(CONVERSATIONS.c.id)).where(
                    CONVERSATIONS.c.sender_id == sender_id, CONVERSATIONS.c.id > conversation_id
                )
            )
            query = sa.select(EVENTS).where(
                EVENTS.c.sender_id == sender_id, EVENTS.c.id >= conversation_id
            )
            if following is not None:
                query = query.where(EVENTS.c.id < following)
            # Not indexed yet, a new session may already follow: stop where it starts.
            events = next(split_sessions(db.execute(query.order_by(EVENTS.c.id))), [])
        return [turn for turn in map(_turn, events) if turn]

    def conversation_at(self, sender_id: str, when: datetime) -> int | None:
        """The sender's conversation running at `when` (a ticket's time), if any."""
        with self.engine.connect() as db:
            return db.scalar(
                sa.select(CONVERSATIONS.c.id)
                .where(
                    CONVERSATIONS.c.sender_id == sender_id,
                    CONVERSATIONS.c.started_at <= when.timestamp(),
                )
                .order_by(CONVERSATIONS.c.id.desc())
                .limit(1)
            )

    def intents(self) -> list[str]:
        """Every intent seen in a user message, alphabetically."""
        with self.engine.connect() as db:
            return list(db.scalars(sa.select(INTENTS.c.intent).distinct().order_by("intent")))

    def _behind(self, now: float) -> bool:
        """True when there are events to index or unfinished flows that have gone idle."""
        with self.engine.connect() as db:
            last = db.scalar(sa.select(WATERMARK.c.last_event_id))
            newer = sa.exists().where(EVENTS.c.id > last)
            return bool(db.scalar(sa.select(newer | _idle_senders(now).exists())))


def _app_driver(url: str) -> str:
    """The URL Rasa uses (psycopg2) on the app's PostgreSQL driver (psycopg 3)."""
    scheme, _, rest = url.partition("://")
    if scheme in ("postgresql", "postgresql+psycopg2", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


# ---- catching up


def _key(table: sa.Table) -> sa.Column:
    return table.c.id if table is CONVERSATIONS else table.c.conversation_id


def _idle_senders(now: float) -> sa.Select:
    """Senders whose latest conversation has a flow still running but no event for a session."""
    return (
        sa.select(CONVERSATIONS.c.sender_id)
        .join(FLOWS, FLOWS.c.conversation_id == CONVERSATIONS.c.id)
        .where(
            FLOWS.c.outcome == "active",
            CONVERSATIONS.c.last_at < now - SESSION_EXPIRY_SECONDS,
        )
    )


@dataclass(frozen=True)
class _Touched:
    """The senders a catch-up re-derives: with events after `low`, or with a flow gone idle."""

    low: int
    high: int
    idle: list[str]

    def __call__(self, sender_id: sa.Column) -> sa.ColumnElement[bool]:
        new_events = sa.select(EVENTS.c.sender_id).where(
            EVENTS.c.id > self.low, EVENTS.c.id <= self.high
        )
        return sender_id.in_(new_events) | sender_id.in_(self.idle)


def _reindex(db: sa.Connection, touched: _Touched, now: float) -> None:
    """Re-derives the touched senders' latest conversation and any that followed it."""
    rows = _event_rows(db, touched(EVENTS.c.sender_id), touched.high)
    derived = [derive(events, followed, now) for events, followed in conversations_by_sender(rows)]
    for table in DERIVED:
        latest = _latest(touched(CONVERSATIONS.c.sender_id))
        db.execute(table.delete().where(_key(table).in_(latest)))
    for table in DERIVED:
        records = [record for conversation in derived for record in conversation[table]]
        if records:
            db.execute(table.insert(), records)


def _latest(touched: sa.ColumnElement[bool]) -> sa.Select:
    """The id of each touched sender's latest indexed conversation."""
    return (
        sa.select(sa.func.max(CONVERSATIONS.c.id))
        .where(touched)
        .group_by(CONVERSATIONS.c.sender_id)
    )


def _event_rows(db: sa.Connection, touched: sa.ColumnElement[bool], high: int) -> Iterable[sa.Row]:
    """The senders' events from their latest indexed conversation on, by sender and id."""
    latest = (
        sa.select(sa.func.max(CONVERSATIONS.c.id))
        .where(CONVERSATIONS.c.sender_id == EVENTS.c.sender_id)
        .scalar_subquery()
    )
    query = (
        sa.select(EVENTS)
        .where(
            touched,
            EVENTS.c.id <= high,
            EVENTS.c.id >= sa.func.coalesce(latest, 0),
        )
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    return db.execute(query.execution_options(yield_per=5000))


# ---- reading


def _conditions(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """The WHERE clause of a search; every word of the text must appear in the conversation."""
    conversation = CONVERSATIONS.c
    conditions = [conversation.user_messages > 0]
    for word in normalise(filters.text).split():
        matching = sa.select(MESSAGES.c.conversation_id).where(
            MESSAGES.c.text.contains(word, autoescape=True)
        )
        conditions.append(conversation.id.in_(matching))
    if filters.since:
        conditions.append(conversation.started_at >= day_start(filters.since))
    if filters.until:
        conditions.append(conversation.started_at < day_start(filters.until + timedelta(days=1)))
    if filters.channel:
        conditions.append(conversation.channel == filters.channel)
    if filters.outcome:
        conditions.append(conversation.outcome == filters.outcome)
    if filters.intent:
        with_intent = sa.select(INTENTS.c.conversation_id).where(INTENTS.c.intent == filters.intent)
        conditions.append(conversation.id.in_(with_intent))
    return conditions


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _conversation_row(row: sa.Row) -> ConversationRow:
    return ConversationRow(
        id=row.id,
        sender_id=row.sender_id,
        channel=row.channel,
        started_at=_utc(row.started_at),
        last_at=_utc(row.last_at),
        user_messages=row.user_messages,
        events=row.events,
        outcome=row.outcome,
        outcome_it=OUTCOMES[row.outcome],
        preview=row.preview,
    )


# Shown as a "session" turn, or not at all: Rasa waiting for the user.
_BOOKKEEPING_ACTIONS = frozenset({SESSION_START_ACTION, LISTEN_ACTION})
_TURN_KINDS = {
    "user": "user",
    "bot": "bot",
    "action": "action",
    "active_loop": "form",
    "slot": "slot",
    "session_started": "session",
}


def _turn(event: sa.Row) -> Turn | None:
    """A transcript line, or None for Rasa's bookkeeping (action_listen, featurisation)."""
    kind = _TURN_KINDS.get(event.type_name)
    if kind is None or (kind == "action" and event.action_name in _BOOKKEEPING_ACTIONS):
        return None
    data = json.loads(event.data)
    at = _utc(event.timestamp)
    if kind == "user":
        intent = (data.get("parse_data") or {}).get("intent") or {}
        return Turn(
            event.id, at, kind, data.get("text"), intent.get("name"), intent.get("confidence")
        )
    if kind == "bot":
        buttons = (data.get("data") or {}).get("buttons") or []
        name = (data.get("metadata") or {}).get("utter_action")
        return Turn(event.id, at, kind, data.get("text"), name=name, buttons=_titles(buttons))
    if kind == "slot":
        return Turn(event.id, at, kind, _slot_text(data.get("value")), name=data.get("name"))
    return Turn(event.id, at, kind, name=data.get("name"))


def _titles(buttons: list[dict[str, Any]]) -> list[str]:
    return [button.get("title") or button.get("payload") or "" for button in buttons]


def _slot_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
