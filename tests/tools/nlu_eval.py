"""NLU cross-validation of the candidate tokenizers, reported per intent into reports/eval/."""

import json
import sys

import yaml

from tests.support import ROOT
from tests.support.stack import rasa

CANDIDATES = {
    "spacy-it": "bot.rasa_plugins.nlu.ItalianTokenizer",
    "whitespace": "WhitespaceTokenizer",
}
FOLDS = "5"
OUT = ROOT / "reports" / "eval"


def config_with_tokenizer(tokenizer: str) -> str:
    """The project's config.yml with its tokenizer swapped, written next to the reports."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config["pipeline"][0] = {"name": tokenizer}
    path = OUT / f"config-{tokenizer}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return str(path)


def summary(name: str) -> list[str]:
    """Per-intent precision/recall/F1 and the confused pairs of one candidate."""
    report = json.loads((OUT / name / "intent_report.json").read_text())
    lines = [
        f"## {name}: macro-F1 {report['macro avg']['f1-score']:.3f}, "
        f"accuracy {report['accuracy']:.3f}",
        "intent | precision | recall | f1 | confused with",
    ]
    for intent, row in sorted(report.items()):
        if isinstance(row, dict) and "confused_with" in row:
            confused = ", ".join(
                f"{other} ({count})" for other, count in row["confused_with"].items()
            )
            lines.append(
                f"{intent} | {row['precision']:.2f} | {row['recall']:.2f} | "
                f"{row['f1-score']:.2f} | {confused}"
            )
    return lines


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, tokenizer in CANDIDATES.items():
        rasa(
            "test",
            "nlu",
            "--cross-validation",
            "--folds",
            FOLDS,
            "--nlu",
            "data/nlu",
            "--config",
            config_with_tokenizer(tokenizer),
            "--out",
            str(OUT / name),
        )
        lines += summary(name) + [""]
    (OUT / "summary.md").write_text("\n".join(lines))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
