"""Live hand-over in the widget: Chromium, the stack's web app and database, an operator
writing with backend.live_chats as the console does."""

import json

import pytest

from backend import live_chats
from tests.support.live import Operator

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def joins_the_queue(route) -> None:
    """The bot's answer with the payload Rasa's hand-over flow adds when the conversation
    joins the operators' queue (contract.LIVE_KEY: LIVE_WAITING)."""
    response = route.fetch()
    replies = response.json() + [{"custom": {"diretta": "attesa"}}]
    route.fulfill(response=response, body=json.dumps(replies))


def operator_bubbles(widget, text: str) -> int:
    return widget.page.locator(".sw-bot .sw-bubble", has_text=text).count()


def test_the_operator_s_messages_appear_without_reload_and_once(open_widget, uow):
    widget = open_widget()
    widget.say("ciao")
    operator = Operator(uow)
    chat = operator.take(widget.sender())
    widget.page.route("**/api/chat", joins_the_queue)
    widget.say("vorrei parlare con una persona")
    widget.page.unroute("**/api/chat")
    page = widget.page
    page.locator(".sw-bot .sw-bubble", has_text="da ora ti rispondo io").wait_for()
    operator.says(chat, "Buongiorno, come posso aiutarla?")
    bubble = page.locator(".sw-bot", has_text="Buongiorno, come posso aiutarla?")
    bubble.wait_for(timeout=10_000)  # the 2 s re-check: this web app has no console's publish
    assert bubble.locator(".sw-operator").inner_text() == "Anna · Help OnLine"
    assert widget.stored()["live"] is True
    widget.screenshot("live")

    # A reload resumes listening where it was: nothing shown twice, the next message arrives.
    page.reload()
    widget.ready()
    operator.says(chat, "Ha ricevuto la mia risposta?")
    page.locator(".sw-bot .sw-bubble", has_text="Ha ricevuto la mia risposta?").wait_for()
    assert operator_bubbles(widget, "Buongiorno, come posso aiutarla?") == 1
    assert operator_bubbles(widget, "da ora ti rispondo io") == 1

    # What the customer writes now reaches the operator.
    widget.say("sì, grazie mille")
    assert "sì, grazie mille" in operator.heard()

    # Given back: the last message, then the widget stops listening.
    live_chats.give_back(uow(), chat, operator.id)
    page.locator(".sw-bot .sw-bubble", has_text="restituito la conversazione").wait_for()
    stopped = "(k) => JSON.parse(localStorage.getItem(k)).live === false"
    page.wait_for_function(stopped, arg=key(widget))
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    page.wait_for_timeout(3000)
    assert not [url for url in asked if "/api/chat/diretta" in url]


def key(widget) -> str:
    return f"sportello-widget:{widget.server}"


def test_a_dropped_poll_is_retried_without_showing_anything_twice(open_widget, uow):
    widget = open_widget()
    widget.say("ciao")
    operator = Operator(uow)
    chat = operator.take(widget.sender())
    page = widget.page
    failures = []

    def drop_twice(route):
        if len(failures) < 2:
            failures.append(route.request.url)
            return route.abort("connectionreset")
        return route.continue_()

    page.route("**/api/chat/diretta*", drop_twice)
    page.route("**/api/chat", joins_the_queue)
    widget.say("vorrei parlare con una persona")
    page.unroute("**/api/chat", joins_the_queue)
    operator.says(chat, "Eccomi.")
    page.locator(".sw-bot .sw-bubble", has_text="Eccomi.").wait_for(timeout=15_000)
    assert len(failures) == 2  # back-off 1 s, 2 s, then through
    page.wait_for_timeout(2500)
    assert operator_bubbles(widget, "Eccomi.") == 1
    assert operator_bubbles(widget, "da ora ti rispondo io") == 1
