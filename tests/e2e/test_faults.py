"""Faults: the action server goes down and comes back; Redis is down."""

import time

import httpx
import pytest

from actions.contract import ACTION_SERVER_APOLOGY
from tests.support.chat import said
from tests.support.loopback import free_port
from tests.support.processes import terminate
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


def test_with_the_action_server_down_an_apology_at_once_then_the_flow_when_it_is_back(stack, chat):
    terminate(stack.processes["actions"])
    try:
        started = time.monotonic()
        reply = said(chat("voglio registrarmi"))
        assert time.monotonic() - started < 5
        assert ACTION_SERVER_APOLOGY in reply
    finally:
        stack.restart("actions")
    assert "persona fisica o come azienda" in said(chat("voglio registrarmi"))


def test_with_redis_down_rasa_gives_up_on_the_message_at_once_instead_of_hanging(tmp_path):
    """The conversation lock is in Redis: without it Rasa's REST channel logs the LockError
    and answers at once with no message (the channels show no apology for that yet)."""
    closed = f"redis://127.0.0.1:{free_port()}/0"
    stack = Stack(tmp_path, env={"REDIS_URL": closed}).start()
    try:
        started = time.monotonic()
        body = {"sender": "redis-giu-0001", "message": "ciao"}
        answer = httpx.post(f"{stack.rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
        assert time.monotonic() - started < 5
        assert answer.status_code == 200 and answer.json() == []
        assert "LockError" in (tmp_path / "rasa.log").read_text()
    finally:
        stack.stop()
