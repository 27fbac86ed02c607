"""The chat widget in real headless Chromium, against the real Rasa, actions and web app."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.tools import ROOT
from tests.tools.customers import Customer, add_customer
from tests.tools.stack import Stack, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PORTAL_KEY = "chiave-del-portale-solo-per-i-test-" + "k" * 32
REPORTS = ROOT / "reports"


def launch_chromium(playwright) -> Browser:
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


class OtherSite(ThreadingHTTPServer):
    """Another site on loopback (another origin) whose page embeds the widget."""

    page = "<!doctype html><title>vuota</title>"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = self.server.page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="package")
def other_site():
    # On loopback like the web app: Chromium forbids public pages to reach loopback.
    server = OtherSite(("127.0.0.1", free_port()), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="package")
def stack(tmp_path_factory, other_site):
    """Rasa + actions + web app; the actions and the web app share the portal's key.

    Package scope: stopped once the browser tests are done, before the other suites run.
    """
    running = Stack(tmp_path_factory.mktemp("browser-stack"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PORTAL_JWT_KEY", PORTAL_KEY)
            running.start()
        running.start_web(PORTAL_JWT_KEY=PORTAL_KEY, WIDGET_ORIGINS=other_site.url)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="package")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, stack):
    """Opens pages in fresh browser contexts (empty storage); closes them afterwards."""
    contexts = []

    def open_page(width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="it-IT")
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


class Widget:
    """The widget on a page, driven the way a person does."""

    def __init__(self, page: Page, server: str):
        self.page = page
        self.server = server
        self.input = page.locator("#sw-input")

    def ready(self) -> "Widget":
        self.page.wait_for_selector(".sw[data-ready]", state="attached")
        return self

    def bots(self) -> int:
        return self.page.locator(".sw-bot").count()

    def wait_answer(self, before: int) -> str:
        """Waits until the bot answered after ``before`` bot messages; returns the new text."""
        self.page.wait_for_function(
            """(n) => document.querySelectorAll('.sw-bot').length > n
                && document.querySelector('.sw-typing').hidden""",
            arg=before,
        )
        texts = self.page.locator(".sw-bot .sw-bubble").all_inner_texts()
        return "\n".join(texts[before:])

    def say(self, text: str) -> str:
        before = self.bots()
        self.input.fill(text)
        self.input.press("Enter")
        return self.wait_answer(before)

    def press(self, title: str) -> str:
        before = self.bots()
        self.page.locator(".sw-choice:enabled", has_text=title).last.click()
        return self.wait_answer(before)

    def stored(self) -> dict:
        key = f"sportello-widget:{self.server}"
        return json.loads(self.page.evaluate("(k) => localStorage.getItem(k)", key))

    def sender(self) -> str:
        return self.stored()["sender"]

    def screenshot(self, name: str) -> None:
        REPORTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(REPORTS / f"widget-{name}.png"))


@pytest.fixture
def open_widget(new_page, stack):
    """The demo portal page with the widget open and the welcome message shown."""

    def open_it(width: int = 1280, height: int = 800) -> Widget:
        page = new_page(width, height)
        page.goto(stack.web_url)
        widget = Widget(page, stack.web_url).ready()
        widget.wait_answer(0)  # the welcome
        return widget

    return open_it


def user_events(stack, sender: str) -> list[dict]:
    """The user messages Rasa stored for a conversation (text and metadata)."""
    tracker = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=10).json()
    return [event for event in tracker["events"] if event["event"] == "user"]


def portal_token(subject: str, key: str = PORTAL_KEY, minutes: int = 10) -> str:
    return jwt.encode({"sub": subject, "exp": int(time.time()) + minutes * 60}, key, "HS256")


@pytest.fixture
def customer(stack) -> Customer:
    """A new active customer in the stack's database."""
    return add_customer(stack.database_url)
