"""``POST /api/documenti``: an identity document for a delega, stored through the backend
(PDF, JPEG, PNG, at most 5 MB, checked by content); the widget hands the bot the reference,
never the bytes. Rate-limited per client address and, when the request carries one, per
conversation."""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from backend import bootstrap, documents
from backend.errors import InvalidInput
from bot.channels.web.chat import error
from bot.channels.web.identity import Credentials
from bot.channels.web.limits import WebLimits, too_many

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f<>\"'\\/\ud800-\udfff]")
TOO_BIG = "Il documento supera la dimensione massima di 5 MB."


def clean_name(name: str) -> str:
    """A file name fit to be shown back in the chat (no path, no markup, short)."""
    name = _UNPRINTABLE.sub("", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:80] or "documento"


class Uploads:
    def __init__(self, credentials: Credentials, limits: WebLimits):
        self.credentials, self.limits = credentials, limits

    async def _wait(self, request: Request) -> int | None:
        """The seconds to wait when this client or conversation uploaded too much."""
        wait = await self.limits.documents_client.hit(self.limits.client_address.key(request))
        credential = await self.credentials.read(request, "")
        if wait or credential is None:
            return wait
        return await self.limits.documents_conversation.hit(credential.conversation)

    async def endpoint(self, request: Request) -> JSONResponse:
        wait = await self._wait(request)
        if wait:
            return too_many(wait)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > documents.MAX_DOCUMENT_BYTES:
            return error(413, TOO_BIG)
        content, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > documents.MAX_DOCUMENT_BYTES:
                return error(413, TOO_BIG)
            content.append(chunk)
        name = clean_name(request.query_params.get("nome", ""))
        try:
            reference = await run_in_threadpool(
                documents.store_upload, bootstrap.unit_of_work(), b"".join(content)
            )
        except InvalidInput as refused:
            return error(415, refused.message_it)
        return JSONResponse({"riferimento": reference, "nome": name}, status_code=201)
