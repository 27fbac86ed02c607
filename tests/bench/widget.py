"""`make bench`, web widget: page weight and time to interactive in headless Chromium.

Starts its own Rasa, action server and web app, then loads the demo portal page in fresh
browser contexts (empty cache and storage, as a first visit). "Interactive" is the moment the
widget's style sheet has arrived and its input takes text (``SportelloWidget.readyAt``,
measured from the start of the navigation); "welcome shown" adds the bot's first answer;
"reply in the widget" is from pressing Enter to the bot's bubble on screen.
Prints a Markdown table, also written to reports/bench-widget.md.
"""

from __future__ import annotations

import gzip
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.bench.stack import measures, percentile, publish
from tests.support import ROOT
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


def main() -> None:
    raw, compressed = page_weight()
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start(web=True)
        try:
            url = stack.web_url
            measure(url)  # warm-up: Chromium's and Rasa's first-time costs
            timings = measure(url)
        finally:
            stack.stop()

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
    ]
    publish(measures(rows), "bench-widget.md")


if __name__ == "__main__":
    main()
