"""What the bot says, held to docs/tono-di-voce.md's mechanical rules: one spelling, «»
quotes, no nested brackets, the portal's names as the portal writes them, gender-neutral
phrasing, and configured numbers instead of literals.

The texts: domain.yml's responses and button titles, the string literals of actions/ (an
f-string with ``{}`` for each value), the backend's user-facing literals and the e-mail and
SMS templates, and what the channels show (the Telegram bridge, the web widget).
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

from tests.support import ROOT

# Backend modules whose literals reach customers (the rest speak to developers or staff).
BACKEND_FOR_CUSTOMERS = [
    "accounts.py",
    "callbacks.py",
    "codes.py",
    "credentials.py",
    "delegations.py",
    "documents.py",
    "errors.py",
    "handovers.py",
    "practices.py",
    "sms_budget.py",
    "supplies.py",
    "validators.py",
    "entities/accounts.py",
    "entities/delegations.py",
]
CHANNELS = [
    "bot/channels/telegram/bridge.py",
    "bot/channels/telegram/rasa_client.py",
    "bot/channels/rate_limits.py",
    "bot/channels/web/chat.py",
    "bot/channels/web/uploads.py",
]

SPELLINGS = {  # a pattern (case-insensitive) -> the one way to write what it matches
    r"(?<!help )\bon[- ]?line\b": "online",
    r"\bhelp\s*on\s*-?line\b": "Help OnLine",
    r"\bcodice fiscale\b": "Codice Fiscale",
    r"\bpartita iva\b": "Partita IVA",
    r"\b803[\s.]?500\b": "803.500",
    r"\bpec\b": "PEC",
    r"\bpod\b": "POD",
    r"\botp\b": "OTP",
    r"\bsms\b": "SMS",
}
WRONG = {  # a pattern never written, and why
    r"\bemail\b|(?<![-\w])mail\b": "«e-mail»",
    r"\b(la|una) e-mail\b": "«l'e-mail», «un'e-mail»",
    r"[\"“”]": "«» for quotes",
    r"(?:^|\s)'[^'\s][^']*'(?=[\s.,;:!?]|$)": "«» for quotes",
    r"\b\d+\s*(minut[oi]|or[ae]|second[oi])\b": "the configured number (a slot, $minutes…)",
    r"\b\d{1,2}(:\d\d)?\s*-\s*\d{1,2}(:\d\d)?\b": "the operators' hours from ORARI_OPERATORI",
    r"\b(sei|sarai|verrai|ti sei)\s+(stat|registrat|uscit|portat|reindirizzat|collegat|"
    r"autenticat|sicur|interessat)[oa]\b": "gender-neutral wording (docs/tono-di-voce.md)",
    r"\bessere\s+(ri)?(contattat|chiamat)[oa]\b": "gender-neutral wording",
    r"\bsono\s+(sicur|riuscit|stat|content|lieto|lieta)[oa]?\b": "the bot has no gender",
    r"(?:^|[.!?]\s+)benvenut[oa]\b": "«ti do il benvenuto»",
    r"\bte stess[oa]\b": "gender-neutral wording",
}
MENU_NAMES = [
    "Recupera dati",
    "Il mio profilo",
    "Elimina Profilo",
    "Nuova Delega",
    "Area Produttori",
    "Nuova pratica",
    "Controllo e Inoltro",
    "Comunicazioni Ricevute",
    "Cambio Legale rappresentante/Procuratore",
]
PLACEHOLDER = re.compile(r"\{\w*\}|\$\w+|\$\{\w+\}")


def _literals(path: Path) -> list[str]:
    """The string literals of a module, docstrings and regular expressions left out, each
    f-string as one text with ``{}`` for its values."""
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("compile", "sub"):
            skipped |= {id(arg) for arg in ast.walk(node)}
        if isinstance(node, ast.JoinedStr):
            skipped |= {id(value) for value in node.values}
    texts = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.JoinedStr):
            texts.append(
                "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts.append(node.value)
    return [text for text in texts if " " in text.strip()]  # words, not identifiers


def _domain() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    texts, titles = [], []
    for name, variations in domain["responses"].items():
        for variation in variations:
            texts.append((name, variation.get("text", "")))
            titles += [(name, button["title"]) for button in variation.get("buttons", [])]
    return texts, titles


def _widget() -> list[str]:
    source = (ROOT / "bot/channels/web/static/widget.js").read_text()
    italian = source[source.index("it: {") : source.index("en: {")]
    return re.findall(r'^\s+\w+: "(.*)",$', italian, re.MULTILINE)


def _texts() -> list[tuple[str, str]]:
    found, titles = _domain()
    found += titles
    for path in sorted((ROOT / "actions").glob("*.py")):
        found += [(f"actions/{path.name}", text) for text in _literals(path)]
    for name in BACKEND_FOR_CUSTOMERS:
        found += [(f"backend/{name}", text) for text in _literals(ROOT / "backend" / name)]
    for name in CHANNELS:
        found += [(name, text) for text in _literals(ROOT / name)]
    found += [("widget.js", text) for text in _widget()]
    for path in sorted((ROOT / "backend" / "templates").glob("*.txt")):
        found.append((f"templates/{path.name}", path.read_text()))
    return found


TEXTS = _texts()


def _breaks(text: str) -> list[str]:
    """The rules the text breaks, each with what it found."""
    plain = PLACEHOLDER.sub("", text)
    broken = []
    for pattern, right in SPELLINGS.items():
        broken += [f"{m.group()!r}: {right}" for m in re.finditer(pattern, plain, re.I)
                   if m.group() != right]  # fmt: skip
    for pattern, why in WRONG.items():
        broken += [f"{m.group()!r}: {why}" for m in re.finditer(pattern, plain, re.I)]
    for name in MENU_NAMES:
        broken += [f"{m.group()!r}: «{name}»" for m in re.finditer(re.escape(name), plain, re.I)
                   if m.group() not in (name, name.lower())]  # fmt: skip
    depth = 0
    for char in plain:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth > 1:
            broken.append("nested brackets")
            break
    return broken


def test_the_texts_are_found():
    """A guard for the collection itself: every source gives texts to check."""
    sources = {where.split("/")[0] for where, _ in TEXTS}
    assert {"actions", "backend", "templates", "widget.js"} <= sources
    assert len([w for w, _ in TEXTS if w.startswith("utter_")]) > 150


@pytest.mark.parametrize(("where", "text"), TEXTS, ids=[w for w, _ in TEXTS])
def test_every_text_follows_the_style_guide(where, text):
    assert _breaks(text) == []


def test_button_titles_carry_no_brackets():
    """A title often ends up inside a sentence («la tua preferenza: «…»»)."""
    _, titles = _domain()
    assert [(name, title) for name, title in titles if re.search(r"[()]", title)] == []


@pytest.mark.parametrize(
    "text",
    [
        "Servizi on-line",
        "la mail non arriva",
        'clicca su "Recupera dati"',
        "usa l'Help Online",
        "vale 30 minuti",
        "Mattina (9-13)",
        "Sei uscito dalla chat.",
        "per essere ricontattato",
        "Non sono sicuro di aver capito.",
        "nella sezione Comunicazioni ricevute",
        "(Mattina (9-13))",
        "chiama l'803500",
        "la e-mail di conferma",
    ],
)
def test_the_rules_catch_what_the_guide_forbids(text):
    assert _breaks(text)


@pytest.mark.parametrize(
    "text",
    [
        "Scrivi l'e-mail di registrazione: vale {codice_minuti} minuti.",
        "Clicca su «Recupera dati» e poi su «INVIA».",
        "Ti do il benvenuto! Chiama il numero verde 803.500.",
        "Non hai comunicazioni ricevute.",
        "Un'e-mail valida, che non sia una PEC (posta certificata).",
    ],
)
def test_the_rules_let_good_text_through(text):
    assert _breaks(text) == []
