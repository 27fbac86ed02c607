"""«In diretta» in headless Chromium, with the customer in the widget in a second browser
context: the whole round trip of a live hand-over on the web, as the issue's script walks it.

The stack's operators' hours are «lun-dom 0-24» (tests/support/fixtures.py), so the offer to
talk now depends only on an operator being «Disponibile».
"""

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from backend import live_chats, staff
from tests.browser.test_console import PASSWORD, log_in, serious_violations

pytestmark = pytest.mark.browser

FAQ = "come faccio a registrarmi al portale?"


def until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.1)


@pytest.fixture
def operator(uow):
    name = f"diretta.{uuid.uuid4().hex[:6]}"
    staff_id = staff.add_staff(uow(), name, "agent", PASSWORD)
    yield name, staff_id
    # Not offered to the next tests' customers, whose answers expect no operator.
    live_chats.set_available(uow(), staff_id, False)


def open_in_diretta(page: Page, stack, uow, name: str, staff_id: int) -> None:
    log_in(page, stack, name)
    page.get_by_role("link", name="In diretta").click()
    expect(page.get_by_role("heading", name="In diretta")).to_be_visible()
    page.get_by_label("Disponibile").check()
    until(lambda: live_chats.board(uow(), staff_id).available)  # the page posted it


def test_a_customer_is_put_through_to_an_operator_and_back_to_the_bot(
    new_page, open_widget, stack, uow, operator
):
    name, staff_id = operator
    page: Page = new_page()
    open_in_diretta(page, stack, uow, name, staff_id)
    expect(page.get_by_text("Nessun cliente in attesa.")).to_be_visible()

    widget = open_widget()
    assert "registr" in widget.say(FAQ).lower()
    assert "parlare ora con un operatore" in widget.say("posso parlare con una persona?")
    assert "1° in coda" in widget.press("Parla ora con un operatore")
    chat_id = live_chats.current(uow(), widget.sender()).id
    waiting = page.locator(f'#coda li[data-chat="{chat_id}"]')
    expect(waiting).to_contain_text("1°")  # appeared without a reload
    assert serious_violations(page) == []
    waiting.get_by_role("button", name="Prendi in carico").click()

    article = page.locator(f"#chat-{chat_id}")
    expect(article).to_contain_text("da ora ti rispondo io")
    expect(article).to_contain_text(FAQ)  # the transcript with the assistant
    customer = widget.page
    customer.locator(".sw-bot .sw-bubble", has_text="da ora ti rispondo io").wait_for()

    article.get_by_label("Messaggio").fill("   ")
    article.get_by_role("button", name="Invia").click()
    expect(article.get_by_role("alert")).to_have_text(
        "Il messaggio deve avere da 1 a 2000 caratteri."
    )
    article.get_by_label("Messaggio").fill("Buonasera, come posso aiutarla?")
    article.get_by_role("button", name="Invia").click()
    expect(article.get_by_label("Messaggio")).to_have_value("")
    reply = customer.locator(".sw-bot", has_text="Buonasera, come posso aiutarla?")
    reply.wait_for(timeout=5_000)  # pushed: the console wakes the widget's request
    assert serious_violations(page) == [], "a chat"

    bots = widget.bots()
    widget.input.fill("non mi arriva il codice via sms")
    widget.input.press("Enter")
    expect(article.locator(".transcript")).to_contain_text("non mi arriva il codice via sms")
    time.sleep(1)
    assert widget.bots() == bots  # the bot is silent while the operator has the chat

    article.get_by_role("button", name="Restituisci all'assistente").click()
    expect(page.get_by_text("Nessuna conversazione in corso.")).to_be_visible()
    customer.locator(".sw-bot .sw-bubble", has_text="restituito la conversazione").wait_for()
    stopped = "(k) => JSON.parse(localStorage.getItem(k)).live === false"
    customer.wait_for_function(stopped, arg=f"sportello-widget:{stack.web_url}")
    assert "Grazie per la tua valutazione" in widget.press("👍")  # the hand-over's rating
    with uow() as unit:
        [rating] = unit.ratings.find(live_chat_id=chat_id)
    assert (rating.subject, rating.score) == ("operatore", 1)
    widget.press("No, grazie")
    assert "registr" in widget.say(FAQ).lower()  # the bot answers again
    assert live_chats.board(uow(), staff_id).mine == []
    expect(page).to_have_url(re.compile(r"/console/diretta"))
