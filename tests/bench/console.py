"""`make bench`, staff console: the conversation index on 10,000 conversations of ~20 events.

Writes realistic conversations into a scratch tracker database (a SQLite file, and a
throw-away schema of PostgreSQL), builds the index from nothing, then times what the
console does on every page: a list page (any page), a text search, a filtered list.
Target: list and search within 300 ms at the 95th percentile.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from backend.db import make_engine
from bot.console.conversations import CHANNELS, OUTCOMES, ConversationIndex, Filters
from tests.bench.stack import percentile
from tests.tools.conversations import realistic, write

POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
CONVERSATIONS = 10_000
RUNS = 60
TARGET_MS = 300
SEARCHES = ["password", "numero verde", "perche", "codice fiscale", "IT001E", "operatore", "zzz"]


def timings(run: Callable[[random.Random], object]) -> list[float]:
    rng, samples = random.Random(1), []
    for _ in range(RUNS):
        started = time.perf_counter()
        run(rng)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(url: str, rows: list[dict]) -> dict[str, float]:
    engine = make_engine(url)
    write(engine, rows)
    engine.dispose()
    index = ConversationIndex(url)
    started = time.perf_counter()
    index.catch_up()
    build = time.perf_counter() - started
    pages = index.search(Filters()).pages
    today = date.today()

    def filtered(rng: random.Random) -> None:
        since = today - timedelta(days=rng.randrange(7, 60))
        index.search(
            Filters(
                since=since,
                until=since + timedelta(days=7),
                channel=rng.choice(CHANNELS),
                outcome=rng.choice(list(OUTCOMES)),
                intent=rng.choice(["faq_pod", "human_handoff", "collega_pod", None]),
            )
        )

    results = {
        "build_s": build,
        "list": timings(lambda rng: index.search(Filters(), page=rng.randint(1, pages))),
        "search": timings(lambda rng: index.search(Filters(text=rng.choice(SEARCHES)))),
        "filtered": timings(filtered),
    }
    index.engine.dispose()
    return results


def postgres_schema() -> tuple[str, Callable[[], None]]:
    """A fresh schema's URL, and what drops it."""
    schema = f"console_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()

    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}", drop


def main() -> int:
    rows = realistic(CONVERSATIONS)
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        results["SQLite"] = measure(f"sqlite:///{directory}/tracker.db", rows)
    url, drop = postgres_schema()
    try:
        results["PostgreSQL"] = measure(url, rows)
    finally:
        drop()
    print(
        f"{CONVERSATIONS:,} conversations, {len(rows):,} events; {RUNS} runs each; "
        f"times in ms (target: p95 <= {TARGET_MS} for list and search)\n"
    )
    print(
        f"| {'database':<10} | {'index build':>11} | {'list p50':>8} | {'list p95':>8} "
        f"| {'search p50':>10} | {'search p95':>10} | {'filtered p95':>12} |"
    )
    print(f"|{'-' * 12}|{'-' * 13}|{'-' * 10}|{'-' * 10}|{'-' * 12}|{'-' * 12}|{'-' * 14}|")
    for name, r in results.items():
        print(
            f"| {name:<10} | {r['build_s']:>10.1f}s | {percentile(r['list'], 0.5):>8.1f} "
            f"| {percentile(r['list'], 0.95):>8.1f} | {percentile(r['search'], 0.5):>10.1f} "
            f"| {percentile(r['search'], 0.95):>10.1f} | {percentile(r['filtered'], 0.95):>12.1f} |"
        )
    slow = [
        name
        for name, r in results.items()
        if max(percentile(r["list"], 0.95), percentile(r["search"], 0.95)) > TARGET_MS
    ]
    if slow:
        print(f"\nabove target: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
