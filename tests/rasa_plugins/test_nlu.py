"""The Italian tokenizer, the weighted word counts, and the classifier that does not classify
unreadable messages."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_plugins.nlu import (
    GuardedLogisticRegressionClassifier,
    ItalianTokenizer,
    WeightedCountVectorsFeaturizer,
)


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


def test_every_form_of_a_word_has_one_lemma_without_accents(tokenizer):
    tokens = tokenizer.tokenize(Message({TEXT: "Delego, deleghe: perché revocare?"}), TEXT)
    assert [token.lemma for token in tokens] == ["deleg", "deleg", "perc", "revoc"]
    assert [token.text for token in tokens] == ["Delego", "deleghe", "perché", "revocare"]


def test_the_weighted_featurizer_multiplies_the_counts(tokenizer, tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = WeightedCountVectorsFeaturizer.get_default_config()
    plain, weighted = (
        WeightedCountVectorsFeaturizer.create(
            {**config, "weight": weight}, storage, Resource(f"words{weight}"), context
        )
        for weight in (1, 3)
    )
    data = TrainingData([Message({TEXT: "revoca la delega", INTENT: "mie_deleghe"})])
    tokenizer.process_training_data(data)
    for featurizer in (plain, weighted):
        featurizer.train(data)

    def sentence(featurizer) -> list[float]:
        [message] = featurizer.process(tokenizer.process([Message({TEXT: "delega delega"})]))
        return message.get_sparse_features(TEXT)[1].features.toarray().tolist()

    # The vocabulary is «deleg», «la», «revoc».
    assert sentence(plain) == [[2, 0, 0]]
    assert sentence(weighted) == [[6, 0, 0]]


@pytest.fixture(scope="module")
def classify(tokenizer, tmp_path_factory):
    """A trained word-count + guarded classifier pipeline: texts in, classified messages out."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    context = ExecutionContext(GraphSchema({}), "test")
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("words"), context
    )
    classifier = GuardedLogisticRegressionClassifier.create(
        GuardedLogisticRegressionClassifier.get_default_config(),
        storage,
        Resource("intents"),
        context,
    )
    examples = {
        "greet": ["ciao", "buongiorno", "salve a tutti"],
        "thank": ["grazie mille", "ti ringrazio", "grazie"],
    }
    data = TrainingData(
        [
            Message({TEXT: text, INTENT: intent})
            for intent, texts in examples.items()
            for text in texts
        ]
    )
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    classifier.train(data)

    def run(*texts: str) -> list[Message]:
        messages = featurizer.process(tokenizer.process([Message({TEXT: t}) for t in texts]))
        return classifier.process(messages)

    return run


@pytest.mark.parametrize("text", ["", "🙂🙂", "?!...", "\n\t"])
def test_unreadable_messages_are_not_classified(classify, text):
    [message] = classify(text)
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get("intent_ranking") == []


def test_readable_messages_beside_unreadable_ones_are_classified(classify):
    readable, empty = classify("grazie tante", "")
    assert readable.get(INTENT)["name"] == "thank"
    assert empty.get(INTENT)["name"] == "nlu_fallback"
