"""How one conversation's events become its index records, and the rules for its outcome.

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from actions.contract import (
    CALLBACK_FORM,
    CANCEL_ACTION,
    CHANNEL_KEY,
    FALLBACK_ACTIONS,
    GIVE_UP_RESPONSE,
    HANDOFF_INTENT,
    REQUESTED_SLOT,
    SESSION_START_ACTION,
    TELEGRAM,
    WEB,
)
from console.conversation_tables import CONVERSATIONS, FLOWS, INTENTS, MESSAGES, normalise

OUTCOMES = {
    "answered": "risposta data",
    "flow_completed": "flusso completato",
    "flow_abandoned": "flusso abbandonato",
    "fallback": "non compreso",
    "handed_over": "passata a un operatore",
}
CHANNELS = (WEB, TELEGRAM, "altro")
# domain.yml session_config.session_expiration_time: after it, an unfinished flow is over.
SESSION_EXPIRY_SECONDS = 30 * 60

FALLBACK_INTENT = "nlu_fallback"


def conversations_by_sender(rows: Iterable[sa.Row]) -> Iterator[tuple[list[sa.Row], bool]]:
    """Each conversation's events, and whether a later one of the same sender follows."""
    for _, events in itertools.groupby(rows, key=lambda row: row.sender_id):
        sessions = list(split_sessions(events))
        for number, session in enumerate(sessions, start=1):
            yield session, number < len(sessions)


def split_sessions(events: Iterable[sa.Row]) -> Iterator[list[sa.Row]]:
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


def derive(events: list[sa.Row], followed: bool, now: float) -> dict[sa.Table, list[dict]]:
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
