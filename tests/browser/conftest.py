"""The widget and the console in real headless Chromium, against the shared running stack."""

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support.widget import Widget, launch_chromium


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
