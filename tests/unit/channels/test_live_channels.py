"""Live hand-over in the channels: what of the customer's words the operator reads, what of
the operator's a Telegram chat reads."""

import pytest

from backend.entities import Author, LiveMessage
from bot.channels.live_customer import words_for_operator
from bot.channels.telegram.live_delivery import as_sent, chat_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("grazie, attendo", "grazie, attendo"),
        ("/human_handoff", None),
        ("Segreta#2024", "[riservato]"),
        ("la password è Segreta#2024 ok?", "la password è [riservato] ok?"),
        ("il mio cellulare è 3331234567", "il mio cellulare è 3331234567"),  # backend masks it
    ],
)
def test_what_the_operator_may_read(text, expected):
    assert words_for_operator(text) == expected


def test_telegram_chats_and_what_they_read():
    assert chat_of("telegram-910000001") == 910000001
    assert chat_of("web-910000001") is None and chat_of("telegram-abc") is None
    said = LiveMessage(author=Author.OPERATOR, operator_name="Anna", text="Eccomi.")
    assert as_sent(said) == "Anna · Help OnLine\nEccomi."
    system = LiveMessage(author=Author.SYSTEM, operator_name=None, text="Chiusa.")
    assert as_sent(system) == "Chiusa."
