"""The bridge's pure parts: Rasa's replies, button payloads, long texts, the file URL."""

from hypothesis import given
from hypothesis import strategies as st

from backend.settings import Settings
from bot.channels.telegram.rasa_client import (
    MAX_CALLBACK_BYTES,
    CallbackPayloads,
    parse_replies,
    split_text,
)


def test_replies_become_texts_with_buttons_and_a_secret_marker():
    reply = parse_replies(
        [
            {"recipient_id": "t", "text": "Scegli", "buttons": [{"title": "Sì", "payload": "/s"}]},
            {"recipient_id": "t", "text": "Ora scrivi la password."},
            {"recipient_id": "t", "custom": {"input": "segreto"}},
        ]
    )
    assert reply.messages == [("Scegli", [("Sì", "/s")]), ("Ora scrivi la password.", [])]
    assert reply.expects_secret
    assert not parse_replies([{"text": "Ciao"}, {"custom": {"altro": 1}}]).expects_secret


@given(st.text(min_size=1, max_size=300))
def test_any_payload_fits_telegram_and_comes_back(payload):
    payloads = CallbackPayloads()
    data = payloads.encode(payload)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert payloads.decode(data) == payload


def test_a_long_payload_forgotten_or_unknown_is_stale():
    payloads = CallbackPayloads(capacity=1)
    first = payloads.encode('/inform{"delega_id": "' + "x" * 80 + '"}')
    payloads.encode("/" + "y" * 80)
    assert payloads.decode(first) is None
    assert payloads.decode("k:nonexistent") is None and payloads.decode(None) is None


def test_long_texts_are_split_at_line_ends():
    text = "\n".join(f"riga {n:04d} " + "x" * 90 for n in range(100))
    pieces = split_text(text)
    assert all(len(piece) <= 4096 for piece in pieces) and len(pieces) == 3
    assert "\n".join(pieces) == text
    assert split_text("y" * 5000) == ["y" * 4096, "y" * 904]


def test_the_file_url_follows_the_api_url():
    local = Settings(telegram_api_base_url="http://127.0.0.1:8081/bot")
    assert local.resolved_telegram_api_file_url() == "http://127.0.0.1:8081/file/bot"
    default = Settings(telegram_api_base_url="https://api.telegram.org/bot")
    assert default.resolved_telegram_api_file_url() == "https://api.telegram.org/file/bot"
