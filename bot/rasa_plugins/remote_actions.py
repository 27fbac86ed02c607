"""Two changes to Rasa's calls to the action server.

Speed: Rasa checks each action server response with ``jsonschema.validate``, which re-checks
the schema itself on every call: that took about 45% of the Rasa server's CPU on a form step
(profiled with py-spy). The same check with a validator built once; same errors.

An apology: when the action server cannot be reached or fails, Rasa logs the error, drops
the action's events and goes on, and the customer gets no answer at all. The customer now
gets an Italian apology at once (the error is still raised: Rasa keeps its own handling, so
the conversation stays where it was and goes on when the action server is back). A refused
connection fails at once; a hung action server only after Rasa's request timeout.

Rasa creates ``RemoteAction`` objects internally (forms call their validation action
directly), so there is no class to substitute: the method is replaced on import. The tracker
store, which Rasa always loads, imports this module.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError, validators
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.shared.exceptions import RasaException

from actions.contract import ACTION_SERVER_APOLOGY

_ORIGINAL = RemoteAction._validate_action_result
_ORIGINAL_RUN = RemoteAction.run


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


async def _run_or_apologise(
    self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any
) -> list[Any]:
    try:
        return await _ORIGINAL_RUN(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # a form step refused: part of the dialogue, not a failure
    except RasaException:
        await output_channel.send_text_message(tracker.sender_id, ACTION_SERVER_APOLOGY)
        raise


RemoteAction._validate_action_result = _validate_action_result
RemoteAction.run = _run_or_apologise
