"""`make bench`, Telegram: from an update reaching the Bot API to the bridge's sendMessage.

Starts the real Rasa and action servers, a fake Bot API on loopback and the bridge
(`sportello telegram`, long polling), then has chats ask FAQ questions one after another
(each waits for its answer) at 1 and 16 chats at once. The latency of a message runs from
the moment its update is queued at the fake Bot API to the bridge's first sendMessage to
that chat: polling, the bridge, Rasa and the actions. The same questions straight to
Rasa's REST channel at the same concurrency give the part that is Rasa's own.
Prints a Markdown table, also written to reports/bench-telegram.md.
"""

from __future__ import annotations

import itertools
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bench.stack import QUESTIONS, percentile, publish
from tests.support.bridge import BridgeProcess
from tests.support.fake_bot_api import FakeBotApi
from tests.support.stack import Stack

_users = itertools.count(800_000_001)


def telegram_chat(fake: FakeBotApi, turns: int) -> list[float]:
    """One Telegram user asking ``turns`` questions in a row; each answer's latency in ms."""
    user, latencies = next(_users), []
    for turn in range(turns):
        before = len(fake.calls_to("sendMessage", user))
        message_id = fake.message(user, QUESTIONS[turn % len(QUESTIONS)])
        pushed = fake.pushed_at(fake.update_of[message_id])
        calls = fake.wait_messages(user, before + 1, timeout=120)
        latencies.append((calls[before].at - pushed) * 1000)
    return latencies


def rest_chat(rasa_url: str, turns: int) -> list[float]:
    """The same questions straight to Rasa's REST channel."""
    sender, latencies = f"bench-{uuid.uuid4()}", []
    with httpx.Client(timeout=120) as client:
        for turn in range(turns):
            started = time.perf_counter()
            client.post(
                f"{rasa_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": QUESTIONS[turn % len(QUESTIONS)]},
            ).raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def at_once(chats: int, chat, *args) -> list[float]:
    with ThreadPoolExecutor(chats) as pool:
        runs = [pool.submit(chat, *args) for _ in range(chats)]
        return [latency for run in runs for latency in run.result()]


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        stack = Stack(workdir / "stack").start()
        fake = FakeBotApi().start()
        bridge = BridgeProcess(fake, stack.rasa_url, stack.database_url, workdir / "bridge.log")
        try:
            bridge.start()
            at_once(4, telegram_chat, fake, 3)  # warm-up
            for chats, turns in ((1, 30), (16, 8)):
                for path, samples in (
                    ("Telegram", at_once(chats, telegram_chat, fake, turns)),
                    ("REST", at_once(chats, rest_chat, stack.rasa_url, turns)),
                ):
                    rows.append(
                        (
                            chats,
                            path,
                            len(samples),
                            percentile(samples, 0.5),
                            percentile(samples, 0.95),
                        )
                    )
            assert bridge.alive(), bridge.log()
        finally:
            bridge.stop()
            fake.stop()
            stack.stop()
    table = [
        "| chats at once | path | messages | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
    ]
    table += [
        f"| {chats} | {path} | {count} | {p50:.0f} | {p95:.0f} |"
        for chats, path, count, p50, p95 in rows
    ]
    publish(table, "bench-telegram.md")


if __name__ == "__main__":
    main()
