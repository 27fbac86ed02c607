"""Which Telegram messages the bridge deletes from the chat as secrets."""

import time

from actions.redaction import SECRET_WINDOW_SECONDS
from bot.channels.telegram.bridge import SECRET_ASKED_AT, SECRET_NEXT, _holds_secret


def test_the_answer_to_a_secret_question_is_a_secret_whatever_it_says():
    assert _holds_secret({SECRET_NEXT: True}, "grazie")


def test_a_password_shaped_message_is_a_secret_for_minutes_after_the_bot_asked_one():
    asked = {SECRET_NEXT: False, SECRET_ASKED_AT: time.monotonic() - 60}
    assert _holds_secret(asked, "Ultimo.Tentativo4")
    assert not _holds_secret(asked, "RSSMRA85T10A562S")
    long_ago = {SECRET_ASKED_AT: time.monotonic() - SECRET_WINDOW_SECONDS - 1}
    assert not _holds_secret(long_ago, "Ultimo.Tentativo4")
    assert not _holds_secret({}, "Ultimo.Tentativo4")


def test_a_password_introduced_in_a_sentence_is_a_secret_anytime():
    assert _holds_secret({}, "la mia password è Sole#2024 ma il sito non me la accetta")
    assert not _holds_secret({}, "la password è sbagliata, come la recupero?")
