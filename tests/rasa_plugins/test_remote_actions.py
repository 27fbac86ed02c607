"""Action server responses are still checked against Rasa's schema, only faster."""

import asyncio
import socket
import time

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

import bot.rasa_plugins.remote_actions
import bot.rasa_plugins.tracker_store  # noqa: F401  (the plugin Rasa loads, which applies the speed-up)
from actions.contract import ACTION_SERVER_APOLOGY

VALID = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []}


def action() -> RemoteAction:
    return RemoteAction("validate_registrazione_form", None)


def test_loading_the_tracker_store_applies_the_speed_up_and_the_apology():
    assert (
        RemoteAction._validate_action_result
        is bot.rasa_plugins.remote_actions._validate_action_result
    )
    assert RemoteAction.run is bot.rasa_plugins.remote_actions._run_or_apologise


def test_a_valid_response_passes_without_rechecking_the_schema(monkeypatch):
    monkeypatch.setattr(
        bot.rasa_plugins.remote_actions, "_ORIGINAL", lambda *_: pytest.fail("slow path")
    )
    assert action()._validate_action_result(VALID) is True


def test_an_invalid_response_is_refused_with_rasa_s_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": [{"name": "x"}]})


def test_an_unreachable_action_server_gets_the_customer_an_apology_at_once(domain):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    action = RemoteAction("validate_registration_form", EndpointConfig(f"http://127.0.0.1:{port}"))
    channel, tracker = CollectingOutputChannel(), DialogueStateTracker("s1", domain.slots)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    started = time.monotonic()
    with pytest.raises(RasaException):  # Rasa's own handling still runs: events dropped
        asyncio.run(action.run(channel, nlg, tracker, domain))
    assert time.monotonic() - started < 5
    assert [message["text"] for message in channel.messages] == [ACTION_SERVER_APOLOGY]
