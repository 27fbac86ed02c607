"""Rasa's SQL tracker store, configured by URL, reading only the recent part of a conversation.

Rasa rebuilds the whole conversation session on every message (it reads every event, replays
it, and the policies featurise the complete history), so a reply gets slower with every turn.
The policies look at a handful of turns, so this store loads the last `recent_turns` user
turns plus the latest value of each slot set before them, never starting inside an active
loop. All events still reach the database: transcripts stay complete, except secrets.

Secrets never reach it (actions/redaction.py): what the user typed while a secret slot (a
password, a code) was requested, a password-shaped message shortly after a flow asked for a
secret, and a password or code the user introduces in a sentence are stored as "[riservato]",
and so is any value of a secret slot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    AllSlotsReset,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

import bot.rasa_plugins.remote_actions  # noqa: F401  (speeds up every custom action; see the module)
from actions.redaction import ConversationSecrets
from bot.rasa_plugins.config import tracker_store_url

RECENT_TURNS = 5

# The events that say whether a secret was asked, answer it or may hold one.
_READ_BY_REDACTION = (UserUttered, SlotSet, ActiveLoop, BotUttered, SessionStarted, Restarted)

# Events after which earlier slot values no longer count.
_STATE_RESETS = (SessionStarted.type_name, Restarted.type_name, AllSlotsReset.type_name)
# Events after which an earlier pause no longer counts (Rasa's ``_reset`` un-pauses).
_PAUSE_RESETS = (SessionStarted.type_name, Restarted.type_name)
# An operator took the chat (console/rasa_conversation.py): the bot is silent until resumed.
_PAUSING = (ConversationPaused.type_name, ConversationResumed.type_name)


_WINDOW_INDEXES = [
    sa.Index(
        "ix_events_sender_id_id", SQLTrackerStore.SQLEvent.sender_id, SQLTrackerStore.SQLEvent.id
    ),
    sa.Index(
        "ix_events_sender_type_id",
        SQLTrackerStore.SQLEvent.sender_id,
        SQLTrackerStore.SQLEvent.type_name,
        SQLTrackerStore.SQLEvent.id,
    ),
]


class SportelloTrackerStore(SQLTrackerStore):
    """SQL tracker store that keeps every event but reads a bounded window of them."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        recent_turns: int = RECENT_TURNS,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, host=host or tracker_store_url(), **kwargs)
        self.recent_turns = recent_turns
        if self.engine.dialect.name == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        # Rasa indexes only sender_id: finding the window would scan the whole conversation.
        for index in _WINDOW_INDEXES:
            index.create(self.engine, checkfirst=True)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Rebuilds the recent part of the current session, or None for a new sender."""
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            start = self._window_start(query)
            if start is not None:
                # The window plus the state events before it, in one round trip.
                query = query.filter(
                    sa.or_(
                        self.SQLEvent.id >= start,
                        self.SQLEvent.id.in_(self._state_before(sender_id, start)),
                    )
                )
            events = [json.loads(row.data) for row in query.all()]
        if not (self.domain and events):
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        _mark_persisted(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the events added since the tracker was read or last saved."""
        await super().save(tracker)
        _mark_persisted(tracker)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The events not stored yet, with their secrets redacted."""
        events = list(tracker.events)
        persisted = getattr(tracker, "_persisted_events", None)
        if persisted is None:  # a tracker this store did not read: count what is stored
            persisted = len(events) - len(list(super()._additional_events(session, tracker)))
        return _redacted(events, persisted)

    def _window_start(self, query: Any) -> int | None:
        """Id of the `action_listen` that opens the window, or None to read the whole session.

        The window holds the last `recent_turns` user turns, stretched back so that it never
        starts inside a loop (a form, the fallback): Rasa needs a loop's start to run it.
        """
        event = self.SQLEvent
        oldest_user_turn = (
            query.filter(event.type_name == UserUttered.type_name)
            .order_by(None)
            .order_by(event.id.desc())
            .offset(self.recent_turns - 1)
            .limit(1)
            .with_entities(event.id)
            .scalar()
        )
        while oldest_user_turn is not None:
            start = self._last_before(query, ActionExecuted.type_name, oldest_user_turn)
            loop = (
                query.filter(event.type_name == ActiveLoop.type_name, event.id < start)
                .order_by(None)
                .order_by(event.id.desc())
                .with_entities(event.id, event.action_name)
                .first()
            )
            if start is None or loop is None or loop.action_name is None:
                return start
            oldest_user_turn = self._last_before(query, UserUttered.type_name, loop.id)
        return None

    def _last_before(self, query: Any, type_name: str, event_id: int) -> int | None:
        event = self.SQLEvent
        return (
            query.filter(event.type_name == type_name, event.id < event_id)
            .order_by(None)
            .with_entities(sa.func.max(event.id))
            .scalar()
        )

    def _state_before(self, sender_id: str, start: int) -> Any:
        """Subquery: ids of the latest SlotSet per slot before `start`, and of the latest
        pause or resume: a chat an operator took long ago stays paused.

        No loop can be active there: the window never starts inside one.
        """
        event = self.SQLEvent
        earlier = (event.sender_id == sender_id, event.id < start)

        def since_last(resets: tuple[str, ...]) -> Any:
            return (
                sa.select(sa.func.coalesce(sa.func.max(event.id), 0))
                .where(*earlier, event.type_name.in_(resets))
                .correlate(None)
                .scalar_subquery()
            )

        slots = (
            sa.select(sa.func.max(event.id))
            .where(
                *earlier, event.id > since_last(_STATE_RESETS), event.type_name == SlotSet.type_name
            )
            .group_by(event.action_name)
            .correlate(None)
        )
        pausing = (
            sa.select(sa.func.max(event.id))
            .where(*earlier, event.id > since_last(_PAUSE_RESETS), event.type_name.in_(_PAUSING))
            .correlate(None)
        )
        return sa.union_all(slots, pausing)


def _redacted(events: list[Event], start: int) -> Iterator[Event]:
    """``events[start:]`` with their secrets redacted, the conversation read from its start
    (actions/redaction.py: whether a secret was asked, and when, decides)."""
    conversation = ConversationSecrets()
    for index, event in enumerate(events):
        if not isinstance(event, _READ_BY_REDACTION):
            if index >= start:
                yield event
            continue
        data = event.as_dict()
        stored = conversation.redact(data)
        if index >= start:
            yield event if stored is data else Event.from_parameters(stored)


def _mark_persisted(tracker: DialogueStateTracker) -> None:
    tracker._persisted_events = len(tracker.events)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers (the staff console) do not block the bot's writes. synchronous=NORMAL is
    # safe from corruption in WAL mode and spares an fsync per message.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
