"""A local fake of Telegram's Bot API: real HTTP on loopback, every call recorded.

It serves one bot token: ``getMe``, ``getUpdates`` (long polling over a queue the test
fills), ``sendMessage``, ``deleteMessage``, ``answerCallbackQuery``, ``getFile`` and the
file download, ``setWebhook``/``deleteWebhook``. It runs in a thread of the test process;
tests push updates (user messages, button presses, files) and wait for the bridge's calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.loopback import LoopbackServer, free_port

BOT = {"id": 7000001, "is_bot": True, "first_name": "Sportello", "username": "sportello_bot"}


@dataclass
class Call:
    """One Bot API call the bridge made."""

    method: str
    params: dict[str, Any]
    at: float  # time.perf_counter() when it arrived


@dataclass
class FakeBotApi:
    token: str = "123456:TEST-token"
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    polls: int = 0  # getUpdates calls, not recorded as calls

    def __post_init__(self):
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._files: dict[str, bytes] = {}
        self._pushed_at: dict[int, float] = {}
        self.update_of: dict[int, int] = {}  # a user message's update_id
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._server: LoopbackServer | None = None
        self._flood: dict[str, int] = {}
        self._broken: dict[str, int] = {}
        self._closing = False

    # ---- where the bridge finds it
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- lifecycle
    def start(self) -> FakeBotApi:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )
        self._server = LoopbackServer(app, self.port).start()
        self._loop = self._server.loop
        self._new_update = self._server.call(asyncio.Event)
        return self

    def stop(self) -> None:
        if self._server:
            self._closing = True  # pending long polls answer now instead of at their timeout
            self._loop.call_soon_threadsafe(self._new_update.set)
            self._server.stop()

    def fail_next(self, method: str, retry_after: int = 1) -> None:
        """The next call to ``method`` gets Telegram's 429 flood-control answer."""
        with self._changed:
            self._flood[method] = retry_after

    def break_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls to ``method`` get a 502, as when Telegram has a hiccup."""
        with self._changed:
            self._broken[method] = times

    # ---- what tests do
    def push(self, update: dict) -> int:
        """Queues an update for getUpdates; returns its update_id."""
        update_id = next(self._update_ids)
        with self._changed:
            self._pushed_at[update_id] = time.perf_counter()
            self._updates.append({"update_id": update_id, **update})
        self._loop.call_soon_threadsafe(self._new_update.set)
        return update_id

    def pushed_at(self, update_id: int) -> float:
        return self._pushed_at[update_id]

    def message(self, user_id: int, text: str) -> int:
        """A user writes a text message in their private chat; returns its message_id."""
        message_id = next(self._message_ids)
        update_id = self.push({"message": self._message(user_id, message_id, text=text)})
        self.update_of[message_id] = update_id
        return message_id

    def send(self, user_id: int, **content) -> None:
        """A user sends any other kind of message (voice, sticker...) in their private chat."""
        self.push({"message": self._message(user_id, next(self._message_ids), **content)})

    def group_message(self, chat_id: int, user_id: int, text: str) -> None:
        """A user writes in a group the bot is in."""
        message = self._message(user_id, next(self._message_ids), text=text)
        message["chat"] = {"id": chat_id, "type": "group", "title": "Condominio"}
        self.push({"message": message})

    def command(self, user_id: int, name: str) -> int:
        message_id = next(self._message_ids)
        text = f"/{name}"
        entities = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        self.push({"message": self._message(user_id, message_id, text=text, entities=entities)})
        return message_id

    def press(self, user_id: int, keyboard_message: dict, callback_data: str) -> str:
        """A user presses a button of a message the bot sent; returns the query id."""
        query_id = f"q{next(self._update_ids)}"
        self.push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self._user(user_id),
                    "chat_instance": str(user_id),
                    "message": keyboard_message,
                    "data": callback_data,
                }
            }
        )
        return query_id

    def upload(self, user_id: int, content: bytes, filename: str, mime: str) -> None:
        """A user sends a file as a document."""
        file_id = self._add_file(content)
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": filename,
            "mime_type": mime,
            "file_size": len(content),
        }
        message_id = next(self._message_ids)
        self.push({"message": self._message(user_id, message_id, document=document)})

    def photo(self, user_id: int, content: bytes) -> None:
        """A user sends a photo (Telegram gives sizes; the largest last)."""
        file_id = self._add_file(content)
        sizes = [
            {"file_id": f"thumb-{file_id}", "file_unique_id": "t", "width": 90, "height": 60},
            {
                "file_id": file_id,
                "file_unique_id": f"u{file_id}",
                "width": 1280,
                "height": 853,
                "file_size": len(content),
            },
        ]
        message_id = next(self._message_ids)
        self.push({"message": self._message(user_id, message_id, photo=sizes)})

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self._changed:
            return [
                call
                for call in self.calls
                if call.method == method
                and (chat_id is None or str(call.params.get("chat_id")) == str(chat_id))
            ]

    def sent_texts(self, chat_id: int) -> list[str]:
        return [call.params["text"] for call in self.calls_to("sendMessage", chat_id)]

    def wait_for(self, condition, timeout: float = 60.0):
        """Waits until ``condition()`` is truthy (checked at each new call); returns it."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (result := condition()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"condition not met; calls: {self._summary()}")
                self._changed.wait(min(remaining, 0.5))
            return result

    def wait_messages(self, chat_id: int, count: int, timeout: float = 60.0) -> list[Call]:
        """Waits for the bridge's ``count``-th sendMessage to a chat since the test began."""
        return self.wait_for(
            lambda: (
                (found := self.calls_to("sendMessage", chat_id)) and len(found) >= count and found
            ),
            timeout,
        )

    # ---- the Bot API
    async def _method(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401
            )
        method = request.path_params["method"]
        params = await self._params(request)
        if method != "getUpdates":
            self._record(method, params)
        with self._changed:
            retry_after = self._flood.pop(method, None)
            broken = self._broken.get(method, 0)
            if broken:
                self._broken[method] = broken - 1
        if broken:
            return JSONResponse({"ok": False, "error_code": 502, "description": "Bad Gateway"}, 502)
        if retry_after is not None:
            return JSONResponse(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
                429,
            )
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": f"Not Found: {method}"}, 404
            )
        result = await handler(params)
        return JSONResponse({"ok": True, "result": result})

    async def _params(self, request: Request) -> dict[str, Any]:
        body = await request.body()
        if not body:
            return dict(request.query_params)
        if request.headers.get("content-type", "").startswith("application/json"):
            return json.loads(body)
        # python-telegram-bot posts form fields, complex ones JSON-encoded.
        params: dict[str, Any] = {}
        for key, value in parse_qsl(body.decode()):
            try:
                params[key] = json.loads(value) if value[:1] in "[{" else value
            except json.JSONDecodeError:
                params[key] = value
        return params

    def _record(self, method: str, params: dict[str, Any]) -> None:
        with self._changed:
            self.calls.append(Call(method, params, time.perf_counter()))
            self._changed.notify_all()

    async def _api_getMe(self, _params):
        return {**BOT, "can_join_groups": False, "can_read_all_group_messages": False}

    async def _api_deleteWebhook(self, _params):
        return True

    async def _api_setWebhook(self, _params):
        return True

    async def _api_getUpdates(self, params):
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        with self._changed:
            self.polls += 1
            self._changed.notify_all()
        while True:
            self._new_update.clear()  # before looking: a push after the look sets it again
            with self._changed:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or self._closing or time.monotonic() >= deadline:
                return ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())

    async def _api_sendMessage(self, params):
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _api_deleteMessage(self, _params):
        return True

    async def _api_answerCallbackQuery(self, _params):
        return True

    async def _api_getFile(self, params):
        file_id = params["file_id"]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self._files[file_id]),
            "file_path": f"documents/{file_id}",
        }

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        self._record("download", {"path": request.path_params["path"]})
        file_id = request.path_params["path"].rpartition("/")[2]
        if file_id not in self._files:
            return Response(status_code=404)
        return Response(self._files[file_id], media_type="application/octet-stream")

    # ---- helpers
    def _add_file(self, content: bytes) -> str:
        file_id = f"file{next(self._file_ids)}"
        self._files[file_id] = content
        return file_id

    @staticmethod
    def _user(user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": "Anna", "language_code": "it"}

    def _message(self, user_id: int, message_id: int, **content) -> dict:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Anna"},
            "from": self._user(user_id),
            **content,
        }

    def _summary(self) -> str:
        return ", ".join(f"{c.method}({c.params.get('text', '')[:40]!r})" for c in self.calls)
