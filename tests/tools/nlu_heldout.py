"""Held-out NLU check: train on 80% of the NLU data, test on the rest, assert intent macro-F1."""

import json
import sys

from tests.tools import ROOT, rasa

THRESHOLD = 0.95
SPLIT = ROOT / "var" / "nlu-split"
OUT = ROOT / "reports" / "nlu-heldout"


def main() -> int:
    rasa(
        "data",
        "split",
        "nlu",
        "--nlu",
        "data/nlu",
        "--training-fraction",
        "0.8",
        "--random-seed",
        "42",
        "--out",
        str(SPLIT),
    )
    rasa(
        "train",
        "nlu",
        "--config",
        "config.yml",
        "--nlu",
        str(SPLIT / "training_data.yml"),
        "--out",
        str(OUT),
        "--fixed-model-name",
        "heldout",
    )
    rasa(
        "test",
        "nlu",
        "--model",
        str(OUT / "heldout.tar.gz"),
        "--nlu",
        str(SPLIT / "test_data.yml"),
        "--out",
        str(OUT),
    )
    report = json.loads((OUT / "intent_report.json").read_text())
    macro_f1 = report["macro avg"]["f1-score"]
    weak = {
        name: round(row["f1-score"], 2)
        for name, row in report.items()
        if isinstance(row, dict) and "confused_with" in row and row["f1-score"] < THRESHOLD
    }
    print(f"held-out intent macro-F1 = {macro_f1:.3f} (threshold {THRESHOLD}); below: {weak}")
    return 0 if macro_f1 >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
