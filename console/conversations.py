"""The staff console's index of conversations, kept in the tracker store's own database.

Rasa's `events` table is the source of truth; reading it for every list, search or chart
would mean parsing every event's JSON. The `console_*` tables are a derived cache of it:
one row per conversation, per message (its text normalised for search), per flow run and
per intent seen. `catch_up()` brings them up to date; dropping them only costs a rebuild.

A conversation is one Rasa session of one sender: it opens with `action_session_start`
(followed by `session_started`) or with the sender's first event, and its id is the id of
its first event.

Outcome, when several apply, the first of:
- handed_over: the user asked for a person (`human_handoff`) or completed a callback request;
- flow_abandoned: a flow cancelled ("annulla"), given up after three wrong answers, or left
  unfinished when the session ended (the next one started, or 30 idle minutes passed);
- fallback: a message the bot did not understand (NLU's `nlu_fallback` outside a form, or
  Rasa's fallback actions; inside a form, answers such as names are the form's to judge);
- flow_completed; otherwise answered.
A person taking over is what staff act on; an abandoned flow is a failure even when the
bot also misunderstood something on the way.
"""

from __future__ import annotations

import itertools
import json
import math
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from actions.contract import (
    CALLBACK_FORM,
    CANCEL_ACTION,
    CHANNEL_KEY,
    FALLBACK_ACTIONS,
    GIVE_UP_RESPONSE,
    HANDOFF_INTENT,
    LISTEN_ACTION,
    REQUESTED_SLOT,
    SESSION_START_ACTION,
    TELEGRAM,
    WEB,
)
from backend.db import make_engine
from backend.settings import get_settings

OUTCOMES = {
    "answered": "risposta data",
    "flow_completed": "flusso completato",
    "flow_abandoned": "flusso abbandonato",
    "fallback": "non compreso",
    "handed_over": "passata a un operatore",
}
CHANNELS = (WEB, TELEGRAM, "altro")
# Staff read days in Italian time: "yesterday" starts at midnight in Rome.
DAY_ZONE = ZoneInfo("Europe/Rome")
# domain.yml session_config.session_expiration_time: after it, an unfinished flow is over.
SESSION_EXPIRY_SECONDS = 30 * 60

FALLBACK_INTENT = "nlu_fallback"

metadata = sa.MetaData()

# Rasa's SQLTrackerStore.SQLEvent, with the indexes Rasa and our tracker store give it.
EVENTS = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
    sa.Index("ix_events_sender_id_id", "sender_id", "id"),
)

CONVERSATIONS = sa.Table(
    "console_conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("fallbacks", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    # The first user message in full: the console masks it before cutting it short.
    sa.Column("preview", sa.Text, nullable=False),
    sa.Index("ix_console_conversations_sender_id_id", "sender_id", "id"),
    sa.Index("ix_console_conversations_started_at", "started_at"),
)

MESSAGES = sa.Table(
    "console_messages",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("conversation_id", sa.Integer, nullable=False, index=True),
    sa.Column("who", sa.String(8), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # normalised: see `normalise`
    sa.Column("fallback", sa.Boolean, nullable=False),  # a user message not understood
)

FLOWS = sa.Table(
    "console_flows",
    metadata,
    # The id of the event that activated the form.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("conversation_id", sa.Integer, nullable=False, index=True),
    sa.Column("form", sa.String(255), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # completed, abandoned, active
    sa.Column("last_step", sa.String(255)),  # the last slot the form asked for
)

INTENTS = sa.Table(
    "console_intents",
    metadata,
    sa.Column("conversation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("intent", sa.String(255), primary_key=True),
    sa.Index("ix_console_intents_intent", "intent", "conversation_id"),
)

# One row: the id of the last event indexed.
WATERMARK = sa.Table(
    "console_watermark",
    metadata,
    sa.Column("name", sa.String(16), primary_key=True),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)
_WATERMARK_NAME = "events"

_DERIVED = (MESSAGES, FLOWS, INTENTS, CONVERSATIONS)  # children first


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


def normalise(text: str) -> str:
    """Lower case, accents stripped, spaces collapsed: "Perché NON" -> "perche non"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


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
                    db.execute(WATERMARK.insert().values(name=_WATERMARK_NAME, last_event_id=0))
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
            events = next(_sessions(db.execute(query.order_by(EVENTS.c.id))), [])
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
    derived = [
        _derive(events, followed, now) for events, followed in _conversations_by_sender(rows)
    ]
    for table in _DERIVED:
        latest = _latest(touched(CONVERSATIONS.c.sender_id))
        db.execute(table.delete().where(_key(table).in_(latest)))
    for table in _DERIVED:
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


def _conversations_by_sender(rows: Iterable[sa.Row]) -> Iterator[tuple[list[sa.Row], bool]]:
    """Each conversation's events, and whether a later one of the same sender follows."""
    for _, events in itertools.groupby(rows, key=lambda row: row.sender_id):
        sessions = list(_sessions(events))
        for number, session in enumerate(sessions, start=1):
            yield session, number < len(sessions)


def _sessions(events: Iterable[sa.Row]) -> Iterator[list[sa.Row]]:
    """One sender's events, in id order, cut where Rasa opens a new session."""
    session: list[sa.Row] = []
    for event in events:
        if session and _opens_session(event, session[-1]):
            yield session
            session = []
        session.append(event)
    if session:
        yield session


def _opens_session(event: sa.Row, previous: sa.Row) -> bool:
    if _is_action(event, SESSION_START_ACTION):
        return True
    return event.type_name == "session_started" and not _is_action(previous, SESSION_START_ACTION)


def _is_action(event: sa.Row, name: str) -> bool:
    return event.type_name == "action" and event.action_name == name


def _derive(events: list[sa.Row], followed: bool, now: float) -> dict[sa.Table, list[dict]]:
    builder = _ConversationBuilder(events[0])
    for event in events:
        builder.add(event)
    # Rasa ends a session when the next one starts or after its expiry: a flow left
    # unfinished then is abandoned; until then the user may still answer.
    ended = followed or now - builder.last_at > SESSION_EXPIRY_SECONDS
    return builder.records(ended)


@dataclass
class _FlowRun:
    id: int
    form: str
    started_at: float
    outcome: str = "active"
    last_step: str | None = None
    given_up: bool = False

    def record(self, conversation_id: int) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": conversation_id,
            "form": self.form,
            "started_at": self.started_at,
            "outcome": self.outcome,
            "last_step": self.last_step,
        }


class _ConversationBuilder:
    """Reads one conversation's events in order and writes its index records."""

    def __init__(self, first: sa.Row):
        self.id, self.sender_id = first.id, first.sender_id
        self.started_at = self.last_at = first.timestamp
        self.events = 0
        self.channel: str | None = None
        self.preview = ""
        self.handed_over = False
        self.messages: list[dict[str, Any]] = []
        self.intents: set[str] = set()
        self.flows: list[_FlowRun] = []
        self.running: _FlowRun | None = None

    def add(self, event: sa.Row) -> None:
        self.events += 1
        self.last_at = event.timestamp or self.last_at
        handler = getattr(self, f"_{event.type_name}", None)
        if handler:
            handler(event)

    def _user(self, event: sa.Row) -> None:
        data = json.loads(event.data)
        text = data.get("text") or ""
        if self.channel is None:
            self.channel = _channel(data)
            self.preview = text
        if event.intent_name:
            self.intents.add(event.intent_name)
        self.handed_over |= event.intent_name == HANDOFF_INTENT
        # A form reads answers itself: a name or a code often looks like nothing to NLU.
        misunderstood = event.intent_name == FALLBACK_INTENT and self.running is None
        self._message(event, "user", text, fallback=misunderstood)

    def _bot(self, event: sa.Row) -> None:
        data = json.loads(event.data)
        if self.running and (data.get("metadata") or {}).get("utter_action") == GIVE_UP_RESPONSE:
            self.running.given_up = True
        self._message(event, "bot", data.get("text") or "")

    def _action(self, event: sa.Row) -> None:
        if event.action_name in FALLBACK_ACTIONS:
            last_user = next((m for m in reversed(self.messages) if m["who"] == "user"), None)
            if last_user:
                last_user["fallback"] = True
        elif event.action_name == CANCEL_ACTION and self.running:
            self.running.given_up = True

    def _slot(self, event: sa.Row) -> None:
        if self.running and event.action_name == REQUESTED_SLOT:
            self.running.last_step = json.loads(event.data).get("value") or self.running.last_step

    def _active_loop(self, event: sa.Row) -> None:
        form = event.action_name
        if self.running and self.running.form == form:
            return  # the same form going on after an interruption
        if self.running:  # a form deactivates itself when done; another one replaces it
            self._end_flow("completed" if form is None else "abandoned")
        if form:
            self.running = _FlowRun(event.id, form, event.timestamp)
            self.flows.append(self.running)

    def _end_flow(self, outcome: str) -> None:
        run, self.running = self.running, None
        run.outcome = "abandoned" if run.given_up else outcome
        self.handed_over |= run.form == CALLBACK_FORM and run.outcome == "completed"

    def _message(self, event: sa.Row, who: str, text: str, fallback: bool = False) -> None:
        if text:
            self.messages.append(
                {
                    "event_id": event.id,
                    "conversation_id": self.id,
                    "who": who,
                    "text": normalise(text),
                    "fallback": fallback,
                }
            )

    def records(self, ended: bool) -> dict[sa.Table, list[dict]]:
        if self.running:  # never deactivated: abandoned once the session is over
            self._end_flow("abandoned" if ended else "active")
        return {
            CONVERSATIONS: [self._conversation()],
            MESSAGES: self.messages,
            FLOWS: [run.record(self.id) for run in self.flows],
            INTENTS: [{"conversation_id": self.id, "intent": name} for name in self.intents],
        }

    def _conversation(self) -> dict[str, Any]:
        user = [m for m in self.messages if m["who"] == "user"]
        fallbacks = sum(m["fallback"] for m in user)
        return {
            "id": self.id,
            "sender_id": self.sender_id,
            "channel": self.channel or "altro",
            "started_at": self.started_at,
            "last_at": self.last_at,
            "user_messages": len(user),
            "events": self.events,
            "fallbacks": fallbacks,
            "outcome": _outcome(self.handed_over, self.flows, fallbacks),
            "preview": self.preview,
        }


def _channel(user_event: dict[str, Any]) -> str:
    channel = (user_event.get("metadata") or {}).get(CHANNEL_KEY)
    return channel if channel in CHANNELS else "altro"


def _outcome(handed_over: bool, flows: list[_FlowRun], fallbacks: int) -> str:
    """The first outcome that applies, in the order the module's docstring explains."""
    ran = {run.outcome for run in flows}
    applies = {
        "handed_over": handed_over,
        "flow_abandoned": "abandoned" in ran,
        "fallback": fallbacks > 0,
        "flow_completed": "completed" in ran,
    }
    return next((outcome for outcome, yes in applies.items() if yes), "answered")


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
