"""Faults on the running stack: the action server goes down and comes back."""

import time

import pytest

from actions.contract import ACTION_SERVER_APOLOGY
from tests.support.chat import said
from tests.support.processes import terminate

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
