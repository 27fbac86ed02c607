"""`make bench`, staff console: the conversation index on 10,000 conversations of ~20 events.

Writes realistic conversations into a scratch tracker database (a SQLite file, and a
throw-away schema of PostgreSQL), builds the index from nothing, then times what the
console does on every page: a list page (any page), a text search, a filtered list; and
the whole page as an operator gets it (session check, index catch-up, query, masking,
HTML) through the web app in process.
Target: list and search within 300 ms at the 95th percentile.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta

from starlette.testclient import TestClient

from backend import bootstrap, db, staff
from backend.db import make_engine
from bot.channels.web.app import make_app
from console.conversation_outcomes import CHANNELS, OUTCOMES
from console.conversations import ConversationIndex, Filters
from tests.bench.stack import percentile, publish
from tests.support.conversations import realistic, write
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema

CONVERSATIONS = 10_000
RUNS = 60
TARGET_MS = 300
TIMED = ("list", "search", "filtered", "page_list", "page_search")
SEARCHES = ["password", "numero verde", "perche", "codice fiscale", "IT001E", "operatore", "zzz"]


def timings(run: Callable[[random.Random], object]) -> list[float]:
    rng, samples = random.Random(1), []
    for _ in range(RUNS):
        started = time.perf_counter()
        run(rng)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def measure(url: str, rows: list[dict], operator_id: int) -> dict[str, float]:
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
    return results | page_timings(url, pages, operator_id)


def page_timings(tracker_url: str, pages: int, operator_id: int) -> dict[str, list[float]]:
    """The list and a search as pages of the web app, for a logged-in operator."""
    os.environ["TRACKER_STORE_URL"] = tracker_url  # the app's index opens it at first use
    token, _csrf = staff.open_session(bootstrap.unit_of_work(), operator_id)
    with TestClient(make_app()) as client:
        client.cookies.set("sportello_console", token)

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        return {
            "page_list": timings(
                lambda rng: get(f"/console/conversazioni?pagina={rng.randint(1, pages)}")
            ),
            "page_search": timings(
                lambda rng: get(f"/console/conversazioni?q={rng.choice(SEARCHES)}")
            ),
        }


def operator(directory: str) -> int:
    """A backend database with one operator, for the console pages."""
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/sportello.db"
    db.upgrade(bootstrap.engine())
    return staff.add_staff(bootstrap.unit_of_work(), "bench", "agent", "Bench#Console2026")


def main() -> int:
    rows = realistic(CONVERSATIONS)
    results = {}
    with tempfile.TemporaryDirectory() as directory:
        operator_id = operator(directory)
        results["SQLite"] = measure(f"sqlite:///{directory}/tracker.db", rows, operator_id)
        with postgres_schema("console_bench") as schema:
            url = in_schema(POSTGRES_URL, schema)
            results["PostgreSQL"] = measure(url, rows, operator_id)
    print(
        f"{CONVERSATIONS:,} conversations, {len(rows):,} events; {RUNS} runs each; "
        f"times in ms (target: p95 <= {TARGET_MS} for list and search)\n"
    )
    table = [
        "| database | index build | list p50 | list p95 | search p50 | search p95 "
        "| filtered p95 | list page p95 | search page p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        p95 = {key: percentile(r[key], 0.95) for key in TIMED}
        table.append(
            f"| {name} | {r['build_s']:.1f} s | {percentile(r['list'], 0.5):.1f} "
            f"| {p95['list']:.1f} | {percentile(r['search'], 0.5):.1f} | {p95['search']:.1f} "
            f"| {p95['filtered']:.1f} | {p95['page_list']:.1f} | {p95['page_search']:.1f} |"
        )
    publish(table, "bench-console.md")
    slow = [
        name
        for name, r in results.items()
        if max(percentile(r[k], 0.95) for k in TIMED) > TARGET_MS
    ]
    if slow:
        print(f"\nabove target: {', '.join(slow)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
