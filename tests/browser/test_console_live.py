"""«In diretta» in headless Chromium: the page follows the queue and the chat without reloads.

The customer talks through the web app's chat API (the real bot); what the channel does on
its side, recording the customer's words for the operator (``live_chats.customer_says``), is
done here in its place, as the widget's feed is another module's. The queue is joined in the
database: the stack keeps the default operators' hours, which the clock may be outside of.
"""

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from backend import live_chats, staff
from backend.operator_hours import parse_operator_hours
from tests.browser.test_console import PASSWORD, log_in, serious_violations
from tests.support.chat import said

pytestmark = pytest.mark.browser

ALWAYS = parse_operator_hours("lun-dom 0-24")
FAQ = "come faccio a registrarmi al portale?"


def until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.1)


@pytest.fixture
def operator(uow) -> tuple[str, int]:
    name = f"diretta.{uuid.uuid4().hex[:6]}"
    return name, staff.add_staff(uow(), name, "agent", PASSWORD)


def test_an_operator_takes_the_chat_writes_and_gives_it_back(new_page, stack, uow, chat, operator):
    name, staff_id = operator
    page: Page = new_page()
    log_in(page, stack, name)
    page.get_by_role("link", name="In diretta").click()
    expect(page.get_by_role("heading", name="In diretta")).to_be_visible()
    page.get_by_label("Disponibile").check()
    until(lambda: live_chats.board(uow(), staff_id).available)  # the page posted it
    expect(page.get_by_text("Nessun cliente in attesa.")).to_be_visible()

    assert "registr" in said(chat(FAQ)).lower()
    chat_id = live_chats.request(uow(), chat.sender, "web", ALWAYS).chat_id
    waiting = page.locator(f'#coda li[data-chat="{chat_id}"]')
    expect(waiting).to_contain_text("1°")  # appeared without a reload
    assert serious_violations(page) == []
    waiting.get_by_role("button", name="Prendi in carico").click()

    article = page.locator(f"#chat-{chat_id}")
    expect(article).to_contain_text("da ora ti rispondo io")
    expect(article).to_contain_text(FAQ)  # the transcript with the assistant
    assert chat("ho un problema con il codice") == []  # the bot is silent
    live_chats.customer_says(uow(), chat.sender, "ho un problema con il codice")
    expect(article).to_contain_text("ho un problema con il codice")

    article.get_by_label("Messaggio").fill("   ")
    article.get_by_role("button", name="Invia").click()
    expect(article.get_by_role("alert")).to_have_text(
        "Il messaggio deve avere da 1 a 2000 caratteri."
    )
    article.get_by_label("Messaggio").fill("Buonasera, le invio le istruzioni.")
    article.get_by_role("button", name="Invia").click()
    expect(article.get_by_label("Messaggio")).to_have_value("")
    expect(article.get_by_role("alert")).to_be_hidden()
    expect(article.locator(".transcript")).to_contain_text("Buonasera, le invio le istruzioni.")
    told = live_chats.messages_for_customer(uow(), chat.sender, 0)
    assert told[-1].text == "Buonasera, le invio le istruzioni."
    assert serious_violations(page) == [], "a chat"

    article.get_by_role("button", name="Restituisci all'assistente").click()
    expect(page.get_by_text("Nessuna conversazione in corso.")).to_be_visible()
    assert "registr" in said(chat(FAQ)).lower()  # the bot answers again
    assert live_chats.board(uow(), staff_id).mine == []
    expect(page).to_have_url(re.compile(r"/console/diretta"))
