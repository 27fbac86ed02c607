"""Rasa's REST channel, passing the message metadata on to the conversation.

Rasa 3.6's ``RestInput`` drops the ``metadata`` of the request (its ``get_metadata`` returns
None), so the actions would never see what the web widget sends with a message: the
reference of an uploaded document (``documento``), the portal's login token
(``portal_token``) and the channel's name (``canale``). Same URL as the stock channel:
``/webhooks/rest/webhook``.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput
from sanic.request import Request


class RestInputWithMetadata(RestInput):
    """The REST channel; ``{"sender", "message", "metadata": {...}}`` keeps the metadata."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = (request.json or {}).get("metadata")
        return metadata if isinstance(metadata, dict) else None
