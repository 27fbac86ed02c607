"""Rasa NLU components: a spaCy Italian tokenizer and a classifier that skips unreadable input."""

from __future__ import annotations

from typing import Any

import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.contract import is_readable

# Phones type typographic apostrophes ("dell’account"); the model should not care.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ItalianTokenizer(Tokenizer):
    """Tokenizes with spaCy's rule-based Italian tokenizer (a blank `it` pipeline).

    It splits elisions ("dell'account" -> "dell'", "account") and needs no downloaded model.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Same options as Rasa's other tokenizers."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self._nlp = spacy.blank("it")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ItalianTokenizer:
        """Creates the tokenizer; there is nothing to train or load."""
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        """Splits the text into word tokens, dropping punctuation and emoji."""
        text = message.get(attribute)
        doc = self._nlp.make_doc(text.translate(_APOSTROPHES))
        tokens = [
            Token(word.text, word.idx, lemma=word.lower_) for word in doc if is_readable(word.text)
        ]
        # Like Rasa's tokenizers: a message of only symbols is one token, never none.
        if not tokens:
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class GuardedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's logistic regression, which never classifies messages without letters or digits.

    Such messages (empty, only emoji or dots) carry no features (Rasa's classifier even fails
    on empty ones), so they get `nlu_fallback` and the fallback asks for a written question.
    """

    def process(self, messages: list[Message]) -> list[Message]:
        """Classifies the readable messages; marks the others as not understood."""
        readable = [message for message in messages if is_readable(message.get(TEXT))]
        if readable:
            super().process(readable)
        for message in messages:
            if message not in readable:
                message.set(INTENT, {"name": "nlu_fallback", "confidence": 1.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
