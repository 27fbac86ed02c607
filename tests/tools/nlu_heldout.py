"""Held-out NLU check: train on 80% of the NLU data and test on the rest, on three splits.

Two scores, each the mean over the splits (one split alone swings by ±0.02 with unrelated
data changes):

- **intent** macro-F1: every intent on its own;
- **topic** macro-F1: a task's FAQ question and the request to do the task in the chat count
  as one topic (e.g. "come cancello l'utenza?" and "cancella il mio account"). Either answer
  takes the user to the same place: the FAQ answer offers the task, and the task's first
  message says what it is about. This is the score that matters to a customer.
"""

import json
import statistics
import sys
from collections import Counter

from tests.support import ROOT
from tests.support.stack import rasa

SEEDS = ("42", "7", "99")
# Regression guards a hair under today's means (topic 0.949, intent 0.937 after issue 13's
# third round; 0.918 / 0.907 before issue 13). Issue 13's target is 0.95 / 0.93: a guard at
# the mean itself would fail on the ±0.005 that any new example brings by reshuffling splits.
TOPIC_THRESHOLD = 0.945
INTENT_THRESHOLD = 0.93
SPLIT = ROOT / "var" / "nlu-split"
OUT = ROOT / "reports" / "nlu-heldout"

# Request to do a task in the chat -> the FAQ (or fact) that explains the same task.
TOPICS = {
    "avvia_registrazione": "faq_come_registrarsi",
    "avvia_recupero_password": "faq_password_dimenticata",
    "avvia_recupero_username": "faq_username_dimenticata",
    "avvia_cancellazione": "faq_cancellare_utenza",
    "avvia_delega": "faq_delega_attivare",
    "mie_deleghe": "faq_delega_revocare",
    "avvia_cambio_rappresentante": "faq_nuovo_rappresentante_legale",
    "collega_pod": "info_pod",
    "mie_forniture": "faq_consultare_servizi",
    "richiedi_richiamata": "human_handoff",
    "parla_ora": "human_handoff",
}


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    """Macro-averaged F1 over every label seen, from (gold, predicted) pairs."""
    hits, gold, predicted = Counter(), Counter(), Counter()
    for truth, guess in pairs:
        gold[truth] += 1
        predicted[guess] += 1
        hits[truth] += truth == guess
    scores = [
        2 * hits[label] / (gold[label] + predicted[label]) for label in gold.keys() | predicted
    ]
    return statistics.mean(scores)


def predictions(seed: str) -> list[tuple[str, str, str]]:
    """(gold, predicted, text) of every held-out example of one split."""
    rasa("data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction", "0.8",
         "--random-seed", seed, "--out", str(SPLIT))  # fmt: skip
    rasa("train", "nlu", "--config", "config.yml", "--nlu", str(SPLIT / "training_data.yml"),
         "--out", str(OUT), "--fixed-model-name", "heldout")  # fmt: skip
    rasa("test", "nlu", "--model", str(OUT / "heldout.tar.gz"), "--nlu",
         str(SPLIT / "test_data.yml"), "--out", str(OUT), "--successes")  # fmt: skip
    results = [
        *json.loads((OUT / "intent_errors.json").read_text()),
        *json.loads((OUT / "intent_successes.json").read_text()),
    ]
    return [
        (result["intent"], result["intent_prediction"]["name"], result["text"])
        for result in results
    ]


def topic(intent: str) -> str:
    return TOPICS.get(intent, intent)


def confusions(results: list[tuple[str, str, str]], top: int = 12) -> str:
    """The most frequent (gold -> predicted) mistakes across the splits, one per line."""
    counts = Counter((gold, guess) for gold, guess, _ in results if gold != guess)
    return "\n".join(f"  {n} × {gold} -> {guess}" for (gold, guess), n in counts.most_common(top))


def misread(results: list[tuple[str, str, str]]) -> str:
    """Every message read as another topic, one per line, grouped by (gold, predicted)."""
    return "".join(
        f"{gold} -> {guess} | {text}\n"
        for gold, guess, text in sorted(results)
        if topic(gold) != topic(guess)
    )


def main() -> int:
    intent_scores, topic_scores, every_result = [], [], []
    for seed in SEEDS:
        results = predictions(seed)
        every_result += results
        pairs = [(gold, guess) for gold, guess, _ in results]
        intent_scores.append(macro_f1(pairs))
        topic_scores.append(macro_f1([(topic(gold), topic(guess)) for gold, guess in pairs]))
    intent_f1, topic_f1 = statistics.mean(intent_scores), statistics.mean(topic_scores)
    print(
        f"held-out macro-F1 over {len(SEEDS)} splits: topic {topic_f1:.3f} "
        f"(threshold {TOPIC_THRESHOLD}), intent {intent_f1:.3f} (threshold {INTENT_THRESHOLD}); "
        f"per split: topic {[round(s, 3) for s in topic_scores]}, "
        f"intent {[round(s, 3) for s in intent_scores]}"
    )
    print(f"most frequent confusions:\n{confusions(every_result)}")
    (OUT / "misread.txt").write_text(misread(every_result))
    print(f"every message read as another topic: {OUT / 'misread.txt'}")
    return 0 if topic_f1 >= TOPIC_THRESHOLD and intent_f1 >= INTENT_THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
