"""`make bench`, secrets: how many ordinary messages the detector (actions/redaction.py)
alters, and how many passwords of the portal's shape it catches.

Ordinary messages: every example in data/nlu/ and the customer messages in
tests/bench/data/messaggi_clienti.txt (their words, typos and personal data, no secrets).
Each is measured twice: anywhere in a conversation (only an introduced secret counts) and as
if it came just after a flow asked for a secret (a password-shaped message counts too, the
worst case). Every altered message is listed. Target: at most 1% altered.

Passwords: generated in the shapes people pick (a name and a year and a symbol, a word with
numbers, random characters), each with the portal's three kinds of character; caught alone
after a flow asked for one, and introduced in a sentence. Target: 100%.
"""

from __future__ import annotations

import random
import re
import string
import sys
from pathlib import Path

import yaml

from actions.redaction import is_other_data, is_password_shaped, redact_introduced
from tests.bench.stack import publish
from tests.support import ROOT

CUSTOMER_MESSAGES = Path(__file__).parent / "data" / "messaggi_clienti.txt"
PASSWORDS = 10_000
TARGET_ALTERED = 0.01
SENTENCES = [
    "la password è {}",
    "la mia password è {} ma il sito non me la accetta",
    "psw: {}",
    "pwd {} non va",
    "ho messo come password {} e non entro",
    "la pasword nuova sarebbe {}",
    "il codice è {}",
]
NAMES = ["Mario", "anna", "Giulia", "luca", "Roma", "juventus", "Gatto", "sole", "Estate", "lupo"]
SYMBOLS = "!@#$%^&+*.-_?"


def nlu_examples() -> list[str]:
    """Every training example of data/nlu/, entity annotations removed."""
    examples = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in yaml.safe_load(path.read_text()).get("nlu") or []:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    text = re.sub(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})", r"\1", line)
                    examples.append(text.strip().removeprefix("- ").strip())
    return [text for text in examples if text]


def customer_messages() -> list[str]:
    lines = CUSTOMER_MESSAGES.read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def altered(messages: list[str]) -> tuple[list[str], list[str]]:
    """The messages altered anywhere, and those altered just after a secret was asked."""
    anywhere = [text for text in messages if redact_introduced(text)[1]]
    in_window = [text for text in messages if is_password_shaped(text) or text in anywhere]
    return anywhere, in_window


def password(rng: random.Random) -> str:
    """A password of the portal's shape, as people make them."""
    shape = rng.randrange(3)
    if shape == 0:
        name = rng.choice(NAMES)
        return f"{name.capitalize()}{rng.randrange(1940, 2025)}{rng.choice(SYMBOLS)}"
    if shape == 1:
        word, digits = rng.choice(NAMES), str(rng.randrange(1, 10_000))
        parts = [word.upper() if rng.random() < 0.3 else word.capitalize(), digits]
        return rng.choice(SYMBOLS).join(rng.sample(parts, 2))
    kinds = [
        rng.choice(string.ascii_uppercase),
        rng.choice(string.digits),
        rng.choice(SYMBOLS),
    ]
    rest = rng.choices(string.ascii_letters + string.digits + SYMBOLS, k=rng.randrange(3, 14))
    return "".join(rng.sample(kinds + rest, len(kinds) + len(rest)))


def caught(passwords: list[str]) -> tuple[int, int]:
    """How many are caught alone (after a secret was asked) and introduced in a sentence."""
    alone = sum(is_password_shaped(p) for p in passwords)
    introduced = 0
    for number, secret in enumerate(passwords):
        text = SENTENCES[number % len(SENTENCES)].format(secret)
        redacted, secrets = redact_introduced(text)
        introduced += secrets == [secret] and secret not in redacted
    return alone, introduced


def main() -> int:
    sets = {"esempi NLU (data/nlu)": nlu_examples(), "messaggi di clienti": customer_messages()}
    table = [
        "| messaggi | quanti | alterati ovunque | alterati subito dopo una richiesta di segreto |",
        "|---|---|---|---|",
    ]
    listed, over = [], []
    for name, messages in sets.items():
        anywhere, in_window = altered(messages)
        share = len(in_window) / len(messages)
        table.append(
            f"| {name} | {len(messages):,} | {len(anywhere)} ({len(anywhere) / len(messages):.2%}) "
            f"| {len(in_window)} ({share:.2%}) |"
        )
        listed += [f"- {name}, ovunque: «{t}» → «{redact_introduced(t)[0]}»" for t in anywhere]
        listed += [f"- {name}, dopo una richiesta: «{t}»" for t in in_window if t not in anywhere]
        if share > TARGET_ALTERED:
            over.append(name)
    rng = random.Random(17)
    passwords = [password(rng) for _ in range(PASSWORDS)]
    other = [p for p in passwords if is_other_data(p)]
    alone, introduced = caught(passwords)
    table += [
        "",
        "| password generate (forma del portale) | quante | prese da sole | prese in una frase |",
        "|---|---|---|---|",
        f"| {PASSWORDS:,} ({len(other)} lette come altri dati) | {PASSWORDS:,} "
        f"| {alone:,} ({alone / PASSWORDS:.2%}) | {introduced:,} ({introduced / PASSWORDS:.2%}) |",
    ]
    table += ["", "Messaggi alterati:", *(listed or ["- nessuno"])]
    publish(table, "bench-redaction.md")
    if over or alone < PASSWORDS or introduced < PASSWORDS:
        print(f"\nabove target: {', '.join(over) or 'passwords missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
