"""Rasa checks each action server response with ``jsonschema.validate``, which re-checks the
schema itself on every call: that took about 45% of the Rasa server's CPU on a form step
(profiled with py-spy). The same check with a validator built once; same errors.

Rasa creates ``RemoteAction`` objects internally (forms call their validation action
directly), so there is no class to substitute: the method is replaced on import. The tracker
store, which Rasa always loads, imports this module.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

_ORIGINAL = RemoteAction._validate_action_result


@cache
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    return validators.validator_for(schema)(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    try:
        _response_validator().validate(result)
    except ValidationError:
        return _ORIGINAL(self, result)  # Rasa's own message for the (rare) invalid response
    return True


RemoteAction._validate_action_result = _validate_action_result
