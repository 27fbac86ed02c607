"""The chat widget in headless Chromium: the browser, the widget as a person drives it, another
site that embeds it, and the portal's tokens (browser suite and `make bench`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
from playwright.sync_api import Browser, Page
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.support import ROOT
from tests.support.chat import conversation_of
from tests.support.loopback import LoopbackServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPORTS = ROOT / "reports"
# The key the portal signs its tokens with; the stack's actions and web app share it.
PORTAL_KEY = "chiave-del-portale-solo-per-i-test-" + "k" * 32


def launch_chromium(playwright) -> Browser:
    """Debian's Chromium: Playwright cannot download its own browser here."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def portal_token(subject: str, key: str = PORTAL_KEY, minutes: int = 10) -> str:
    """What the portal hands the widget for its logged-in user."""
    return jwt.encode({"sub": subject, "exp": int(time.time()) + minutes * 60}, key, "HS256")


class OtherSite:
    """Another site on loopback (another origin) whose every page is ``page``, e.g. one that
    embeds the widget. On loopback like the web app: Chromium forbids public pages to reach
    loopback."""

    def __init__(self):
        self.page = "<!doctype html><title>vuota</title>"
        self.server = LoopbackServer(Starlette(routes=[Route("/{path:path}", self._serve)]))

    @property
    def url(self) -> str:
        return self.server.url

    def start(self) -> OtherSite:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    async def _serve(self, _request) -> HTMLResponse:
        return HTMLResponse(self.page)


class Widget:
    """The widget on a page, driven the way a person does."""

    def __init__(self, page: Page, server: str):
        self.page = page
        self.server = server
        self.input = page.locator("#sw-input")

    def ready(self) -> Widget:
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
        """The Rasa sender id of the conversation the web app issued to this widget."""
        return conversation_of(self.stored()["credential"])

    def screenshot(self, name: str) -> None:
        REPORTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(REPORTS / f"widget-{name}.png"))
