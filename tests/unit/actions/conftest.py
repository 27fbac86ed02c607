"""Fixtures of the action tests: trackers as Rasa sends them, the backend as a fake."""

import asyncio
import inspect
from typing import Any

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import (
    RATED_ASSISTANT,
    RATING_ID_SLOT,
    RATING_OFFER_SLOT,
    RATING_PROMPT,
    rating_buttons,
)
from backend import bootstrap
from backend.clock import ManualClock
from tests.support import ROOT
from tests.support.settings import fast_settings
from tests.unit.backend.backend_fakes import FakeUnitOfWork


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def uow(monkeypatch, clock) -> FakeUnitOfWork:
    """The backend every action reaches through ``bootstrap.unit_of_work()``."""
    fake = FakeUnitOfWork(fast_settings(), clock)
    monkeypatch.setattr(bootstrap, "unit_of_work", lambda settings=None: fake)
    return fake


def tracker(
    text: str = "",
    *,
    slots: dict[str, Any] | None = None,
    intent: str = "inform",
    confidence: float = 0.9,
    form: str | None = None,
    metadata: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> Tracker:
    """The tracker Rasa sends after the user wrote ``text`` (during ``form`` if given)."""
    return Tracker.from_dict(
        {
            "sender_id": "u1",
            "slots": slots or {},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": confidence},
                "entities": entities or [],
                "metadata": metadata or {},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {"name": form} if form else {},
            "latest_action_name": "action_listen",
        }
    )


@pytest.fixture
def run(domain):
    """Runs an action; returns its events and the messages it sent."""

    def run_action(action: Action, on: Tracker) -> tuple[list[dict], list[dict]]:
        dispatcher = CollectingDispatcher()
        events = action.run(dispatcher, on, domain)
        if inspect.iscoroutine(events):
            events = asyncio.run(events)
        return events, dispatcher.messages

    return run_action


def logged(account: int) -> list[SlotSet]:
    """What the login step of any flow sets once the password is right."""
    return [
        SlotSet("accesso_email", None),
        SlotSet("accesso_password", "già autenticato"),
        SlotSet("tentativi", 0),
        SlotSet("account", account),
        SlotSet("requested_slot", None),
    ]


def closed(messages: list[dict], rated: bool = True) -> list[dict]:
    """The messages of a finished task, after checking it closes with the invitation to rate
    it (👍 / 👎, unless not ``rated``), then «Posso aiutarti in altro?» and buttons to the
    likely next tasks."""
    *said, closing = messages
    assert closing["response"] == "utter_posso_aiutarti"
    assert 2 <= len(closing["buttons"]) <= 3
    if not rated:
        assert all(message.get("text") != RATING_PROMPT for message in said)
        return said
    *said, rating = said
    assert (rating["text"], rating["buttons"]) == (RATING_PROMPT, rating_buttons())
    return said


# What a finished task sets besides emptying its slots: a new offer to rate it, no vote yet.
RATING_OFFERED = [SlotSet(RATING_OFFER_SLOT, RATED_ASSISTANT), SlotSet(RATING_ID_SLOT, None)]
