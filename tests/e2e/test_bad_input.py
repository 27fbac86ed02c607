"""Odd messages get a sensible Italian reply, never a stack trace; the server keeps answering.

Straight over Rasa's REST channel: the web app refuses some of them (an empty message)
before the bot sees them (tests/e2e/test_security.py), the bot copes with them anyway.
"""

import httpx
import pytest

from tests.support.chat import RestChat

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat(open_chat):
    return open_chat(RestChat)


ODD_MESSAGES = {
    "empty": "",
    "whitespace": "   \n\t ",
    "very long": ("salve, scrivo perché ho un problema con il portale e non so come fare. " * 80)[
        :5000
    ],
    "only emoji": "🙂🙂👍",
    "only digits": "1234567890",
    "english": "Hello, can you tell me what the weather is like in London today?",
    "sql": "'; DROP TABLE events; --",
    "html": "<script>alert('x')</script><b>ciao</b>",
}


@pytest.mark.parametrize("message", ODD_MESSAGES.values(), ids=ODD_MESSAGES.keys())
def test_odd_message_gets_a_known_italian_reply(chat, responses, message):
    replies = chat(message)
    known = {text for variations in responses.values() for text in variations}
    assert replies, "no reply at all"
    assert all(reply["text"] in known for reply in replies)


@pytest.mark.parametrize("message", ["", "🙂🙂👍", "...!!!"])
def test_unreadable_message_asks_for_a_written_question(chat, responses, message):
    assert chat(message)[0]["text"] in responses["utter_empty_message"]


def test_server_keeps_answering_after_odd_input(chat, stack, responses):
    for message in ODD_MESSAGES.values():
        chat(message)
    assert httpx.get(f"{stack.rasa_url}/status").status_code == 200
    assert chat("che browser devo usare?")[0]["text"] in responses["utter_faq_browser"]
