"""`make bench`, web widget: page weight and time to interactive in headless Chromium.

Starts its own Rasa, action server and web app, then loads the demo portal page in fresh
browser contexts (empty cache and storage, as a first visit). "Interactive" is the moment the
widget's style sheet has arrived and its input takes text (``SportelloWidget.readyAt``,
measured from the start of the navigation); "welcome shown" adds the bot's first answer;
"reply in the widget" is from pressing Enter to the bot's bubble on screen. "Rate limiter"
is the limits' cost on an FAQ reply through the web app (in process, on the same Rasa): p50
with the limiter on Redis, in memory, and without it, requests interleaved so that all three
see the same load.
Prints a Markdown table, also written to reports/bench-widget.md.
"""

from __future__ import annotations

import asyncio
import gzip
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

from backend.settings import Settings
from bot.channels import rate_limits
from bot.channels.web.app import make_app
from bot.channels.web.identity import HEADER
from tests.bench.stack import measures, percentile, publish
from tests.support import ROOT
from tests.support.services import REDIS_URL
from tests.support.stack import Stack
from tests.support.widget import launch_chromium

ASSETS = [
    ROOT / "bot" / "channels" / "web" / "static" / name for name in ("widget.js", "widget.css")
]
LOADS = 10
QUESTIONS = ["che browser devo usare?", "cos'è il pod?", "come faccio a registrarmi?"]


def page_weight() -> tuple[int, int]:
    """Bytes of the widget's JS + CSS, as served and gzip-compressed."""
    raw = b"".join(path.read_bytes() for path in ASSETS)
    return len(raw), sum(len(gzip.compress(path.read_bytes())) for path in ASSETS)


def measure(url: str) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {"interactive": [], "welcome": [], "reply": []}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for _ in range(LOADS):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function("() => window.SportelloWidget?.readyAt")
                timings["interactive"].append(page.evaluate("window.SportelloWidget.readyAt"))
                page.wait_for_selector(".sw-bot")
                timings["welcome"].append(page.evaluate("performance.now()"))
                for question in QUESTIONS:
                    before = page.locator(".sw-bot").count()
                    page.fill("#sw-input", question)
                    start = time.perf_counter()
                    page.press("#sw-input", "Enter")
                    page.wait_for_function(
                        "(n) => document.querySelectorAll('.sw-bot').length > n",
                        arg=before,
                        polling="raf",
                    )
                    timings["reply"].append((time.perf_counter() - start) * 1000)
                context.close()
        finally:
            browser.close()
    return timings


LIMITER_ROUNDS = 150
UNLIMITED = "1000000/minute"  # every request counted, none refused
# variant -> (counters and credentials in Redis, limiter on)
VARIANTS = {
    "Redis": (True, True),
    "Redis, no limiter": (True, False),
    "memory": (False, True),
    "memory, no limiter": (False, False),
}


async def _no_limit(_limit, _key) -> None:
    return None


async def limiter_cost(rasa_url: str) -> dict[str, list[float]]:
    """FAQ replies through the web app, with and without the limiter, on Redis and in memory
    (the credentials on the same store either way): each variant's latencies in ms,
    interleaved request by request so that all see the same load."""
    # As many windows as the defaults (two per client, one per conversation), none reached.
    values = {
        "rate_limit_chat_client": f"{UNLIMITED};100000000/hour",
        "rate_limit_chat_conversation": UNLIMITED,
    }
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    clients, credentials = {}, dict.fromkeys(VARIANTS, "")
    for name, (on_redis, _) in VARIANTS.items():
        settings = Settings(rasa_url=rasa_url, redis_url=REDIS_URL if on_redis else "", **values)
        app = make_app(settings)
        await app.router.lifespan_context(app).__aenter__()
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
        clients[name] = httpx.AsyncClient(transport=transport, base_url="http://bench")
    real_hit = rate_limits.RateLimit.hit
    for turn in range(LIMITER_ROUNDS + 10):  # the first 10: warm-up
        for name, client in clients.items():
            rate_limits.RateLimit.hit = real_hit if VARIANTS[name][1] else _no_limit
            body = {"id": uuid.uuid4().hex, "message": QUESTIONS[turn % len(QUESTIONS)]}
            headers = {HEADER: credentials[name]} if credentials[name] else {}
            started = time.perf_counter()
            response = await client.post("/api/chat", json=body, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            credentials[name] = response.headers[HEADER]
            if turn >= 10:
                timings[name].append(elapsed)
    rate_limits.RateLimit.hit = real_hit
    for client in clients.values():
        await client.aclose()
    return timings


async def limiter_alone(on_redis: bool, rounds: int = 1000) -> list[float]:
    """The limiter by itself: the three counters of one chat request, in ms each time."""
    storage = rate_limits.storage_for(REDIS_URL if on_redis else "")
    name = f"bench-{uuid.uuid4().hex}"
    limits = [
        rate_limits.RateLimit(name, f"{UNLIMITED};100000000/hour", storage),
        rate_limits.RateLimit(name + "-c", UNLIMITED, storage),
    ]
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for limit in limits:
            await limit.hit("203.0.113.9")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    raw, compressed = page_weight()
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start(web=True)
        try:
            url = stack.web_url
            measure(url)  # warm-up: Chromium's and Rasa's first-time costs
            timings = measure(url)
            limiter = asyncio.run(limiter_cost(stack.rasa_url))
        finally:
            stack.stop()
    alone = {store: asyncio.run(limiter_alone(store == "Redis")) for store in ("Redis", "memory")}

    def cost(store: str) -> str:
        with_it = statistics.median(limiter[store])
        without = statistics.median(limiter[f"{store}, no limiter"])
        return f"p50 {with_it:.1f} ms with, {without:.1f} ms without ({with_it - without:+.1f} ms)"

    def summary(samples: list[float]) -> str:
        median, p95 = statistics.median(samples), percentile(samples, 0.95)
        return f"p50 {median:.0f} ms, p95 {p95:.0f} ms"

    rows = [
        (
            "page weight (widget JS + CSS)",
            f"{raw / 1024:.1f} KB",
            f"{compressed / 1024:.1f} KB gzip",
        ),
        ("time to interactive", summary(timings["interactive"]), f"{LOADS} first visits"),
        ("welcome shown", summary(timings["welcome"]), "includes the bot's first answer"),
        ("reply in the widget", summary(timings["reply"]), "Enter to bubble, FAQ questions"),
        ("FAQ reply via /api/chat, limiter on Redis", cost("Redis"), "target: within 2 ms"),
        ("same, limiter in memory", cost("memory"), f"{LIMITER_ROUNDS} each, interleaved"),
        (
            "the limiter alone, one chat request (3 counters)",
            f"p50 {statistics.median(alone['Redis']):.2f} ms Redis, "
            f"{statistics.median(alone['memory']):.2f} ms memory",
            "1,000 requests",
        ),
    ]
    publish(measures(rows), "bench-widget.md")


if __name__ == "__main__":
    main()
