"""The Italian tokenizer and the guard against unreadable messages."""

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu import ItalianTokenizer, UnreadableMessageGuard


@pytest.fixture(scope="module")
def tokenizer() -> ItalianTokenizer:
    return ItalianTokenizer(ItalianTokenizer.get_default_config())


def words(tokenizer, text: str) -> list[str]:
    return [token.text for token in tokenizer.tokenize(Message({TEXT: text}), TEXT)]


def test_elisions_are_split_and_typographic_apostrophes_normalised(tokenizer):
    assert words(tokenizer, "l’email dell'account") == ["l'", "email", "dell'", "account"]


def test_punctuation_and_emoji_are_dropped(tokenizer):
    assert words(tokenizer, "ciao!!! 🙂 come va?") == ["ciao", "come", "va"]


def test_token_offsets_point_into_the_original_text(tokenizer):
    text = "mail: mario.rossi@gmail.com"
    tokens = tokenizer.tokenize(Message({TEXT: text}), TEXT)
    assert [text[t.start : t.end] for t in tokens] == ["mail", "mario.rossi@gmail.com"]


def test_a_message_of_symbols_is_one_token(tokenizer):
    assert words(tokenizer, "🙂👍") == ["🙂👍"]


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "?!...", "\n\t"])
def test_guard_turns_unreadable_messages_into_nlu_fallback(text):
    message = Message({TEXT: text, "intent": {"name": "greet", "confidence": 0.97}})
    UnreadableMessageGuard().process([message])
    assert message.get("intent") == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get("intent_ranking") == []


@pytest.mark.parametrize("text", ["ok", "333", "è"])
def test_guard_leaves_readable_messages_alone(text):
    intent = {"name": "inform", "confidence": 0.9}
    message = Message({TEXT: text, "intent": intent})
    UnreadableMessageGuard().process([message])
    assert message.get("intent") == intent
