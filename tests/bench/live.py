"""`make bench`, live hand-over: how fast an operator's message reaches a waiting widget, and a
customer's message the operator, with 50 widgets long-polling ``/api/chat/diretta``.

The web app runs in this process (uvicorn on loopback, its own thread and event loop) on
PostgreSQL and Redis, in front of a real Rasa and action server. Every widget's conversation
is in a live chat an operator holds; each keeps one long poll open, as the widget does.

- operator → widget: ``live_chats.operator_says`` then ``publish``, until that widget's poll
  returned with the message; published on the same replica (the console mounted in this web
  app), and from another process through Redis (the console on another replica);
- widget → operator: ``POST /api/chat`` until ``live_chats.messages_for_operator`` lists it.
  Rasa is not paused here (pausing is the hand-over flow's), so this includes a whole bot
  turn; a paused Rasa only stores the message;
- the check every customer message pays: ``live_chats.customer_says`` for a conversation
  with no live chat (one indexed query), alone and through the worker thread the channels
  use.
Prints a Markdown table, also written to reports/bench-live.md.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from backend import bootstrap, db, live_chats
from backend.settings import Settings
from bot.channels.web.app import make_app
from bot.channels.web.identity import HEADER
from bot.channels.web.live_feed import LiveNotifier
from tests.bench.stack import measures, percentile, publish
from tests.support.live import Operator, web_conversation
from tests.support.loopback import LoopbackServer
from tests.support.services import POSTGRES_URL, REDIS_URL, in_schema, postgres_schema
from tests.support.stack import Stack

WIDGETS = 50
ROUNDS = 60  # operator messages, per way of publishing
WARM_UP = 5
CUSTOMER_ROUNDS = 30
CHECKS = 500
UNLIMITED = "1000000/minute"


class Widget:
    """One widget's long poll, over and over, as the widget script does."""

    def __init__(self, client: httpx.AsyncClient, url: str, token: str, sender: str):
        self.client, self.url, self.token, self.sender = client, url, token, sender
        self.after = 0
        self.arrived: dict[int, float] = {}  # message id -> when the poll returned it
        self.waiting = asyncio.Event()

    async def listen(self) -> None:
        while True:
            self.waiting.set()
            response = await self.client.get(
                f"{self.url}/api/chat/diretta",
                params={"dopo": self.after},
                headers={HEADER: self.token},
            )
            returned = time.perf_counter()
            self.waiting.clear()
            for message in response.json()["messaggi"]:
                self.arrived[message["id"]] = returned
                self.after = max(self.after, message["id"])


async def operator_to_widget(widgets, operator, chats, wake) -> tuple[list[float], list[float]]:
    """ms from the write to the widget's poll returning, one widget after another (the first
    rounds warm up), and ms of the write alone."""
    samples, writes = [], []
    for turn in range(WARM_UP + ROUNDS):
        widget = widgets[turn % len(widgets)]
        await asyncio.sleep(0.05)  # its poll is open again
        started = time.perf_counter()
        said = await asyncio.to_thread(operator.says, chats[widget.sender], f"Messaggio {turn}")
        written = time.perf_counter()
        await wake(widget.sender)
        while said not in widget.arrived:
            await asyncio.sleep(0.0005)
        if turn >= WARM_UP:
            samples.append((widget.arrived[said] - started) * 1000)
            writes.append((written - started) * 1000)
    return samples, writes


async def widget_to_operator(client, url, widgets, operator) -> list[float]:
    """ms from the widget's POST to the operator's feed listing the message."""
    samples = []
    after = max(m.id for m in live_chats.messages_for_operator(operator.uow(), operator.id, 0))
    for turn in range(CUSTOMER_ROUNDS):
        widget = widgets[turn % len(widgets)]
        text = f"domanda numero {turn} per l'operatore"
        started = time.perf_counter()
        posting = asyncio.create_task(
            client.post(
                f"{url}/api/chat",
                json={"id": uuid.uuid4().hex, "message": text},
                headers={HEADER: widget.token},
            )
        )
        while True:
            heard = await asyncio.to_thread(
                live_chats.messages_for_operator, operator.uow(), operator.id, after
            )
            if any(m.text == text for m in heard):
                break
            await asyncio.sleep(0.002)
        samples.append((time.perf_counter() - started) * 1000)
        after = max(m.id for m in heard)
        (await posting).raise_for_status()
    return samples


def check_cost(settings: Settings) -> tuple[list[float], list[float]]:
    """ms of customer_says for conversations without a live chat: direct, via a thread."""
    direct, threaded = [], []
    for turn in range(CHECKS):
        sender = f"web-nessuna-{turn}"
        started = time.perf_counter()
        live_chats.customer_says(bootstrap.unit_of_work(settings), sender, "ciao")
        direct.append((time.perf_counter() - started) * 1000)

    async def through_thread() -> None:
        for turn in range(CHECKS):
            started = time.perf_counter()
            await asyncio.to_thread(
                live_chats.customer_says, bootstrap.unit_of_work(settings), f"web-x-{turn}", "ciao"
            )
            threaded.append((time.perf_counter() - started) * 1000)

    asyncio.run(through_thread())
    return direct, threaded


class WebApp(LoopbackServer):
    """The web app served from a thread of this process."""

    def __init__(self, settings: Settings):
        self.notifier = LiveNotifier(settings.redis_url)
        self.app = make_app(settings, notifier=self.notifier)
        super().__init__(self.app)


async def run(server: WebApp, settings: Settings) -> dict[str, list[float]]:
    notifier = server.notifier
    operator = Operator(lambda: bootstrap.unit_of_work(settings))
    limits = httpx.Limits(max_connections=WIDGETS + 10, max_keepalive_connections=WIDGETS + 10)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        widgets, chats = [], {}
        for _ in range(WIDGETS):
            credential, token = web_conversation(settings)
            chats[credential.sender] = await asyncio.to_thread(operator.take, credential.sender)
            widgets.append(Widget(client, server.url, token, credential.sender))
        listening = [asyncio.create_task(w.listen()) for w in widgets]
        for widget in widgets:
            await widget.waiting.wait()
        await asyncio.sleep(0.5)  # the greetings delivered, every poll waiting again

        async def same_replica(sender: str) -> None:
            running = asyncio.run_coroutine_threadsafe(notifier.publish(sender), server.loop)
            await asyncio.wrap_future(running)

        elsewhere = LiveNotifier(settings.redis_url)  # the console of another replica
        await elsewhere.open()
        timings = {}
        timings["same"], timings["write"] = await operator_to_widget(
            widgets, operator, chats, same_replica
        )
        timings["redis"], _ = await operator_to_widget(widgets, operator, chats, elsewhere.publish)
        timings["customer"] = await widget_to_operator(client, server.url, widgets, operator)
        await elsewhere.close()
        for task in listening:
            task.cancel()
        await asyncio.gather(*listening, return_exceptions=True)
    return timings


def summary(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 0.95):.1f} ms"


def main() -> None:
    os.environ.setdefault("SPORTELLO_ENV", "development")
    with tempfile.TemporaryDirectory() as scratch, postgres_schema("bench_live") as schema:
        database_url = in_schema(POSTGRES_URL, schema)
        engine = db.make_engine(database_url)
        db.upgrade(engine)
        engine.dispose()
        stack = Stack(Path(scratch)).start()
        settings = Settings(
            rasa_url=stack.rasa_url,
            database_url=database_url,
            redis_url=REDIS_URL,
            rate_limit_live_client=UNLIMITED,
            rate_limit_chat_client=UNLIMITED,
        )
        server = WebApp(settings).start()
        try:
            timings = asyncio.run(run(server, settings))
            direct, threaded = check_cost(settings)
        finally:
            server.stop()
            stack.stop()
    rows = [
        (
            "operator → widget, publish on the same replica",
            summary(timings["same"]),
            f"{WIDGETS} widgets long-polling; write + wake + answer, {ROUNDS} messages",
        ),
        ("of which the write (operator_says)", summary(timings["write"]), "message + audit"),
        (
            "operator → widget, publish from another replica",
            summary(timings["redis"]),
            "through Redis pub/sub",
        ),
        (
            "widget → operator",
            summary(timings["customer"]),
            f"POST /api/chat to the operator's feed, {CUSTOMER_ROUNDS} messages; Rasa not paused",
        ),
        (
            "customer_says, no live chat (every message's check)",
            f"{summary(direct)} direct; {summary(threaded)} via a worker thread",
            f"PostgreSQL, {CHECKS} conversations",
        ),
    ]
    publish(measures(rows), "bench-live.md")


if __name__ == "__main__":
    main()
