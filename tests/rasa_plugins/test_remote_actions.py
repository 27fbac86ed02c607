"""Action server responses are still checked against Rasa's schema, only faster."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import bot.rasa_plugins.remote_actions
import bot.rasa_plugins.tracker_store  # noqa: F401  (the plugin Rasa loads, which applies the speed-up)

VALID = {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": []}


def action() -> RemoteAction:
    return RemoteAction("validate_registrazione_form", None)


def test_loading_the_tracker_store_applies_the_speed_up():
    assert (
        RemoteAction._validate_action_result
        is bot.rasa_plugins.remote_actions._validate_action_result
    )


def test_a_valid_response_passes_without_rechecking_the_schema(monkeypatch):
    monkeypatch.setattr(
        bot.rasa_plugins.remote_actions, "_ORIGINAL", lambda *_: pytest.fail("slow path")
    )
    assert action()._validate_action_result(VALID) is True


def test_an_invalid_response_is_refused_with_rasa_s_message():
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result({"events": [{"name": "x"}]})
