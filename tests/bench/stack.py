"""`make bench`: latency, throughput, long-conversation drift, memory, start-up and training time.

Starts its own Rasa and action servers on free ports (a scratch tracker database), talks to them
over the REST channel with fresh sender ids, and prints a Markdown table (also written to
reports/bench.md). Numbers are for FAQ messages, the bot's most frequent traffic. The long
conversation runs twice: with our windowed tracker store and with Rasa's stock one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil

from tests.support import ROOT
from tests.support.stack import Stack, rasa

QUESTIONS = [
    "come faccio a registrarmi al portale?",
    "ho dimenticato la password",
    "non mi arriva la mail con il codice",
    "quanto dura il codice otp?",
    "posso cambiare il codice fiscale?",
    "come attivo una delega",
    "che browser devo usare",
    "cos'è il pod e dove lo trovo",
    "qual è il numero verde?",
    "come cancello il mio account",
]


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measures(rows: list[tuple[str, str, str]]) -> list[str]:
    """A markdown table of (measure, value, note) rows."""
    return ["| measure | value | note |", "|---|---|---|"] + [
        f"| {name} | {value} | {note} |" for name, value, note in rows
    ]


def publish(table: list[str], report: str) -> None:
    """Prints a markdown table and keeps it in ``reports/<report>``."""
    path = ROOT / "reports" / report
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(table) + "\n")
    print("\n".join(table))


async def conversation(client: httpx.AsyncClient, url: str, turns: int) -> list[float]:
    """One user asking `turns` questions in a row; returns each reply's latency in ms."""
    sender, latencies = f"bench-{uuid.uuid4()}", []
    for turn in range(turns):
        started = time.perf_counter()
        response = await client.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": sender, "message": QUESTIONS[turn % len(QUESTIONS)]},
        )
        response.raise_for_status()
        assert response.json(), "the bot did not answer"
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def load(url: str, users: int, turns: int) -> tuple[list[float], float]:
    """`users` concurrent conversations; returns all latencies and messages per second."""
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=users)) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(conversation(client, url, turns) for _ in range(users)))
        elapsed = time.perf_counter() - started
    latencies = [value for result in results for value in result]
    return latencies, len(latencies) / elapsed


def around(latencies: list[float], turn: int, width: int = 5) -> float:
    """Median latency of the turns around `turn` (1-based): one sample alone is noise."""
    start = max(0, turn - 1 - width // 2)
    return statistics.median(latencies[start : start + width])


def resident_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        rasa("train", "--force", "--quiet", "--out", out)
        return time.perf_counter() - started


def long_conversation(stock_tracker_store: bool) -> list[float]:
    """Latencies of one 400-turn conversation on a fresh stack."""
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch), stock_tracker_store=stock_tracker_store).start()
        try:
            return asyncio.run(load(stack.rasa_url, 1, 400))[0]
        finally:
            stack.stop()


def drift_rows(name: str, latencies: list[float]) -> list[tuple[str, str, str]]:
    rows = [
        (f"{name}: turn {turn}", f"{around(latencies, turn):.0f} ms", "median of 5 turns")
        for turn in (1, 50, 200, 400)
    ]
    ratio = around(latencies, 200) / around(latencies, 1)
    return [*rows, (f"{name}: turn 200 / turn 1", f"{ratio:.2f}x", "")]


def serving_rows() -> list[tuple[str, str, str]]:
    """Start-up, latency and throughput at concurrency 1 and 16, memory."""
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch))
        started = time.perf_counter()
        stack.start()
        asyncio.run(load(stack.rasa_url, 1, 1))
        rows.append(("start to first answer", f"{time.perf_counter() - started:.1f} s", ""))
        try:
            asyncio.run(load(stack.rasa_url, 4, 10))  # warm-up
            for users, turns in ((1, 100), (16, 15)):
                latencies, rate = asyncio.run(load(stack.rasa_url, users, turns))
                p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
                rows.append(
                    (
                        f"REST latency, concurrency {users}",
                        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms",
                        f"{len(latencies)} messages",
                    )
                )
                rows.append((f"throughput, concurrency {users}", f"{rate:.1f} messages/s", ""))
            for name in ("rasa", "actions"):
                rows.append(
                    (
                        f"resident memory, {name} server",
                        f"{resident_mb(stack.pid(name)):.0f} MB",
                        "with children",
                    )
                )
        finally:
            stack.stop()
    return rows


def scaled_rows(workers: int) -> list[tuple[str, str, str]]:
    """Throughput at concurrency 16 with several Sanic workers sharing locks in Redis."""
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch), workers=workers).start()
        try:
            asyncio.run(load(stack.rasa_url, 4, 10))  # warm-up
            latencies, rate = asyncio.run(load(stack.rasa_url, 16, 15))
            memory = resident_mb(stack.pid("rasa"))
        finally:
            stack.stop()
    note = f"SANIC_WORKERS={workers}, REDIS_URL"
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    return [
        (
            f"REST latency, concurrency 16, {workers} workers",
            f"p50 {p50:.0f} ms, p95 {p95:.0f} ms",
            note,
        ),
        (f"throughput, concurrency 16, {workers} workers", f"{rate:.1f} messages/s", note),
        (f"resident memory, rasa server, {workers} workers", f"{memory:.0f} MB", "with children"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training")
    args = parser.parse_args()

    rows = serving_rows()
    rows += scaled_rows(workers=2)
    rows += drift_rows("long conversation", long_conversation(stock_tracker_store=False))
    rows += drift_rows(
        "with Rasa's stock SQL tracker store", long_conversation(stock_tracker_store=True)
    )
    if not args.skip_training:
        rows.append(("full training (rasa train --force)", f"{training_seconds():.0f} s", ""))

    publish(measures(rows), "bench.md")


if __name__ == "__main__":
    main()
