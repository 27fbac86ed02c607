"""`make bench`: latency, throughput, long-conversation drift, memory, start-up and training time.

Starts its own Rasa and action servers on free ports (a scratch tracker database), talks to them
over the REST channel with fresh sender ids, and prints a Markdown table (also written to
reports/bench.md). Numbers are for FAQ messages, the bot's most frequent traffic.
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

from tests.tools import ROOT, rasa
from tests.tools.stack import Stack

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-training", action="store_true", help="do not time a full training")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []

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
                rows.append(
                    (
                        f"REST latency, concurrency {users}",
                        f"p50 {percentile(latencies, 0.5):.0f} ms, "
                        f"p95 {percentile(latencies, 0.95):.0f} ms",
                        f"{len(latencies)} messages",
                    )
                )
                rows.append((f"throughput, concurrency {users}", f"{rate:.1f} messages/s", ""))
            long_run, _ = asyncio.run(load(stack.rasa_url, 1, 400))
            for turn in (1, 50, 200, 400):
                rows.append(
                    (
                        f"long conversation, turn {turn}",
                        f"{around(long_run, turn):.0f} ms",
                        "median of 5 turns around it",
                    )
                )
            rows.append(
                ("turn 200 / turn 1", f"{around(long_run, 200) / around(long_run, 1):.2f}x", "")
            )
            rows.append(
                ("resident memory, Rasa server", f"{resident_mb(stack.pid('rasa')):.0f} MB", "")
            )
            rows.append(
                (
                    "resident memory, action server",
                    f"{resident_mb(stack.pid('actions')):.0f} MB",
                    "",
                )
            )
        finally:
            stack.stop()

    if not args.skip_training:
        rows.append(("full training (rasa train --force)", f"{training_seconds():.0f} s", ""))

    table = ["| measure | value | note |", "|---|---|---|"]
    table += [f"| {name} | {value} | {note} |" for name, value, note in rows]
    report = ROOT / "reports" / "bench.md"
    report.parent.mkdir(exist_ok=True)
    report.write_text("\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    main()
