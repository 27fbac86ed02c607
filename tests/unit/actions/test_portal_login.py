"""The portal login hand-off: only a valid, unexpired token of an active account logs in."""

import time

import jwt
import pytest
from rasa_sdk import Tracker

from actions.portal_login import ActionSessionStart
from actions.session import RENEWAL
from tests.support.customers import make_fiscal_code
from tests.unit.backend.backend_fakes import add_active_account

KEY = "chiave-del-portale-di-prova-" + "x" * 40  # HS256 wants 32+ bytes; 64+ for HS384


def token(sub, key=KEY, **claims):
    return jwt.encode({"sub": sub, "exp": int(time.time()) + 600, **claims}, key, "HS256")


def session_start(portal_token=None, slots=None) -> Tracker:
    metadata = {"canale": "web"} | ({"portal_token": portal_token} if portal_token else {})
    return Tracker.from_dict(
        {
            "sender_id": "u1",
            "slots": {"session_started_metadata": metadata, **(slots or {})},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        }
    )


@pytest.fixture
def account(uow):
    return add_active_account(uow, "mario.rossi@example.it", make_fiscal_code("RSSMRA85M01H501"))


@pytest.fixture(autouse=True)
def portal_key(configure):
    configure(PORTAL_JWT_KEY=KEY)


def account_set(events) -> list:
    return [event["value"] for event in events if event.get("name") == "account"]


def started(events) -> bool:
    """Rasa's default shape: the session starts first, the bot listens last."""
    return events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


@pytest.mark.parametrize("sub", ["mario.rossi@example.it", "MARIO.ROSSI@example.it ", "id"])
def test_a_valid_token_logs_the_chat_in(run, uow, account, sub):
    events, messages = run(
        ActionSessionStart(), session_start(token(str(account) if sub == "id" else sub))
    )
    assert started(events) and [m["custom"] for m in messages] == [RENEWAL["json_message"]]
    assert account_set(events) == [account]
    # Rasa's default keeps the session's metadata in its slot: here without the token.
    kept = [e["value"] for e in events if e.get("name") == "session_started_metadata"]
    assert kept == [{"canale": "web"}]


@pytest.mark.parametrize(
    "bad",
    [
        token("mario.rossi@example.it", key="un-altra-chiave" + "y" * 50),
        token("mario.rossi@example.it", exp=int(time.time()) - 5),
        token("nessuno@example.it"),
        jwt.encode({"sub": "mario.rossi@example.it"}, KEY, "HS256"),  # no expiry
        jwt.encode({"sub": "mario.rossi@example.it", "exp": 9999999999}, KEY, "HS384"),
        "non-un-token",
    ],
)
def test_a_bad_token_is_ignored(run, uow, account, bad):
    events, _ = run(ActionSessionStart(), session_start(bad))
    assert started(events) and account_set(events) == []


def test_without_a_key_no_token_is_trusted(run, uow, account, configure):
    configure(PORTAL_JWT_KEY="")
    events, _ = run(ActionSessionStart(), session_start(token("mario.rossi@example.it")))
    assert account_set(events) == []


def test_no_token_starts_a_plain_session(run, uow):
    events, _ = run(ActionSessionStart(), session_start(slots={"account": 7}))
    assert started(events) and account_set(events) == []  # the domain carries no slot over
