"""Which parts of a customer's message are a secret (a password, a PIN, a code), wherever in
the conversation they come.

Customers do not keep to the moment the bot asks for a password: they type it once more after
the login gave up, or write «la password è …» in a sentence. Three rules, applied to a
conversation's events in order (Rasa's JSON form, so the tracker store, the console and the
`sportello redact-history` command share them):

- the answer to a secret question (the requested slot is a secret one) is secret whole;
- a password-shaped message (one token) is secret whole while a flow that asked for a secret
  runs and for `SECRET_WINDOW_SECONDS` after it ended or gave up;
- a token the customer introduces as a password, PIN or code is secret anywhere; only that
  token is replaced, the rest of the sentence stays readable.

Fiscal codes, VAT numbers, PODs, e-mails, phones, dates, times, amounts, practice and ticket
numbers are never secrets here (staff need them; the console masks them on its own).
``python -m tests.bench.redaction`` measures it: of the 2,562 NLU examples it alters the 10
that introduce a six-digit code («il codice è 482913»), 11 read just after a secret was asked
(one more bare code); 2 of 361 ordinary customer messages (0.55%: «la mia password è
composta da…»); and it catches 10,000 of 10,000 generated passwords of the portal's shape,
alone and in a sentence.

Standard library only and Python 3.10-compatible: the Rasa server's tracker store, the
actions, the channels and the console all import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from actions.contract import GIVE_UP_RESPONSE, REDACTED, REQUESTED_SLOT, is_secret_slot

# Long enough for the customer who, after the login gave up, looks the password up and types
# it again; short enough that a later one-word message is read for what it says.
SECRET_WINDOW_SECONDS = 5 * 60


# --- the portal's password shape: mirrors backend/validators.py PASSWORD_RULES (the Rasa side
# cannot import backend; tests/unit/test_redaction.py checks that both agree) ----------------
def is_special(char: str) -> bool:
    return not (char.isalnum() or char.isspace())


def meets_password_rule(token: str) -> bool:
    """An upper-case letter, a digit and a special character: the portal's password rule."""
    return (
        any(c.isupper() for c in token)
        and any(c.isdigit() for c in token)
        and any(is_special(c) for c in token)
    )


# --- data that looks like a code but is not a secret ----------------------------------------
_OMO = "[0-9LMNPQRSTUV]"
_PERSONAL_DATA = re.compile(
    "|".join(
        (
            r"[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}",  # e-mail (domains: lower case)
            rf"(?i:[A-Z]{{6}}{_OMO}{{2}}[A-Z]{_OMO}{{2}}[A-Z]{_OMO}{{3}}[A-Z])",  # Codice Fiscale
            r"(?i:IT)?\d{11}",  # Partita IVA
            r"(?i:IT\d{3}E\d{8})",  # POD
            r"(?:(?:\+|00)39[.-]?)?(?:3\d{2}|0\d{1,3})(?:[./-]?\d){5,8}",  # phone
            r"\d{1,4}[./-]\d{1,2}(?:[./-]\d{1,4})?",  # date
            r"\d{1,2}[:.]\d{2}",  # time
            r"(?i:(?:https?://|www\.)\S+)",  # link
            r"\d+(?:[.,]\d+)?(?i:kw|kwh|w|v|gg|mesi|anni|%)",  # quantity
            r"€ ?\d[\d.,]*|\d[\d.,]*(?i:€|euro|eur)|\d+,\d{2}",  # amount
        )
    ),
)
# Practice and ticket numbers (PC-2024-DEMO0001, RIC-2023/00451): an upper-case prefix, then
# two or more groups of upper-case letters and digits, at least four digits in all. One
# group («LUPO-1936») is how people write passwords.
_REFERENCE = re.compile(r"[A-Z]{1,5}(?:[-/][A-Z0-9]+){2,}")
_REFERENCE_DIGITS = 4
_NUMBER = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")
_TRAILING = ".,;:!?)»\"'"
_FULL_STOP = ".,;:)»\"'"  # «!» and «?» end a sentence but are also a password's favourite symbols
_CODE_DIGITS = 6  # the portal's codes are six digits (actions/codes.py)


def _core(token: str) -> str:
    """The token without the sentence's punctuation after it."""
    return token.rstrip(_TRAILING) or token


def is_other_data(token: str) -> bool:
    """True for a fiscal code, VAT number, POD, e-mail, phone, date, amount, practice number…"""
    core = token.rstrip(_FULL_STOP) or token
    if _REFERENCE.fullmatch(core):
        return sum(c.isdigit() for c in core) >= _REFERENCE_DIGITS
    return bool(_PERSONAL_DATA.fullmatch(core))


def is_password_shaped(text: str) -> bool:
    """One token shaped like the portal's passwords, a near miss of one, or a six-digit code.

    A near miss (letters and digits, at least six characters: «Mario1980») is what a customer
    types when unsure of the capital or the symbol; a plain number is an amount or a PIN asked
    elsewhere, except the six digits of the portal's codes.
    """
    token = text.strip()
    if not token or any(c.isspace() for c in token) or is_other_data(token):
        return False
    if meets_password_rule(token):
        return True
    if _NUMBER.fullmatch(token):
        return len(token) == _CODE_DIGITS
    core = _core(token)
    return len(core) >= 6 and any(c.isdigit() for c in core) and any(c.isalpha() for c in core)


# --- secrets the customer introduces: «la password è …», «psw: …», «pin 1234» ----------------
# Word lists as patterns, matched whole against a word (``_word``).
_KEYWORD = re.compile(
    r"password|psw|pswd|pwd|pw|pass|passw|passwd|passwor|pasw|passcode|pin|codic[ei]|cod|code|otp"
)
_PASSWORD = "password"
# Words between the keyword and the secret: «la password [di accesso al portale] è …».
_FILLER = re.compile(
    r"è|e'|é|e|sarebbe|era|sono|fosse|is|[=:-]|->|=>|la|il|lo|l'|i|le|mi[ao]|nuov[ao]|vecchi[ao]"
    r"|attuale|provvisoria|temporanea|di|del|della|dello|dell'|d'|al|alla|per|accesso|login"
    r"|portale|sito|area|riservata|account|utente|che|mi|ho|hai|messo|scritto|usato|uso"
    r"|inserito|inserisco|metto|arrivat[oa]|ricevut[oa]|via|sms|mail|email|e-mail|otp|verifica"
    r"|conferma|sicurezza|segret[oa]|tipo|cioè|ovvero|quindi"
)
_COPULA = re.compile(r"è|e'|é|sarebbe|era")
# Words that a «password:» or «la password è» may introduce without them being the password.
_NOT_A_SECRET = re.compile(
    r"sbagliata|errata|scaduta|dimenticata|corretta|giusta|bloccata|nuova|vecchia|non|nessuna"
    r"|niente|boh|persa|lung[ao]|cort[ao]|stess[ao]|quell[ao]|quest[ao]|uguale|troppo|molto"
    r"|sempre|ancora|solo|sola|bene|male|okay|facile|semplice|sicura|debole|forte|vuota|giusto"
    r"|(?:nel|dal|sul|del|al)l[aoei]|(?:ne|da|su|de|a)gli|case"
)
# Endings of the adjectives and participles that describe a password («scaduta», «valida»).
_DESCRIPTION = re.compile(
    r"(?:at|ut|it|tt|ent|ant|il|al|os|iv|id|ur|ers|ess|ist|ic|tori|sori|sari)[aoei]$"
)
_ELISION = re.compile(r"[a-z]{1,5}'([^\W\d_]+)")
_MIN_SECRET = 4  # shorter is a count («la password 3 volte»), not a PIN
_MAX_FILLERS = 8  # «il codice [che mi è arrivato via sms] è …»


def _word(token: str) -> str:
    """The token as a dictionary word: lower case, punctuation around it stripped, elision
    («dell'sms» → «sms») undone."""
    word = token.lower().strip(_TRAILING + "«(\"'")
    elided = _ELISION.fullmatch(word)
    return elided.group(1) if elided else word


def _near_password(word: str) -> bool:
    """One typo away from «password» (a letter missing, extra, wrong or swapped)."""
    if abs(len(word) - len(_PASSWORD)) > 1 or word[:1] != "p":
        return False
    return _edit_distance(word, _PASSWORD) <= 1


def _edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one)."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _is_keyword(word: str) -> bool:
    return bool(_KEYWORD.fullmatch(word)) or _near_password(word)


def _code_like(core: str) -> bool:
    """A digit, a capital or a symbol: not an Italian word («sbagliata», «un'ora»)."""
    if _ELISION.fullmatch(core.lower()):
        return False
    return any(c.isdigit() or c.isupper() or is_special(c) for c in core)


def introduced_secrets(text: str) -> list[tuple[int, int]]:
    """The spans of the tokens the customer introduces as a password, PIN or code."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    spans: list[tuple[int, int]] = []
    for index, (start, _end, token) in enumerate(tokens):
        if spans and start < spans[-1][1]:
            continue  # the secret itself («password: pin=1A!»)
        keyword, separator, value = (re.split(r"([:=])", token, maxsplit=1) + ["", ""])[:3]
        if not _is_keyword(_word(keyword)):
            continue
        if value:  # «psw:Mario1!» in one token
            spans += _secret_span(start + len(keyword) + 1, value, deliberate=True)
            continue
        found = _after_keyword(tokens[index + 1 :], deliberate=bool(separator))
        spans += found or _before_keyword(tokens[:index], spans)
    return sorted(set(spans))


def _before_keyword(preceding: list[tuple[int, int, str]], spans: list) -> list:
    """«483920 è il codice», «Mario1980! sarebbe la mia password»: a word with a digit, then
    «è» or «sarebbe» and at most two more words before the keyword."""
    for position in range(len(preceding) - 1, max(len(preceding) - 4, 0), -1):
        word = _word(preceding[position][2])
        if _COPULA.fullmatch(word):
            start, end, token = preceding[position - 1]
            if (start, end) in spans or not any(c.isdigit() for c in token):
                return []
            return _secret_span(start, token, deliberate=False)
        if not _FILLER.fullmatch(word):
            return []
    return []


def _after_keyword(following: list[tuple[int, int, str]], deliberate: bool) -> list:
    after_copula = False
    for start, _end, token in following[: _MAX_FILLERS + 1]:
        word = _word(token)
        if _FILLER.fullmatch(word) or not word.strip(":=->"):
            deliberate = deliberate or token[-1] in ":="
            after_copula = bool(_COPULA.fullmatch(word))
            continue
        # «la password è gattino»: right after «è», a word that describes nothing is the password.
        named = after_copula and not _DESCRIPTION.search(word)
        return _secret_span(start, token, deliberate or named)
    return []


def _secret_span(start: int, token: str, deliberate: bool) -> list[tuple[int, int]]:
    core = _core(token)
    if core == REDACTED or is_other_data(token) or _NOT_A_SECRET.fullmatch(_word(token)):
        return []
    if len(core) < _MIN_SECRET and not meets_password_rule(token):
        return []
    return [(start, start + len(token))] if deliberate or _code_like(core) else []


def redact_introduced(text: str) -> tuple[str, list[str]]:
    """The text with each introduced secret replaced by REDACTED, and the secrets found."""
    spans = introduced_secrets(text)
    secrets = [text[start:end] for start, end in spans]
    for start, end in reversed(spans):
        text = text[:start] + REDACTED + text[end:]
    return text, secrets


def is_secret_message(text: str, in_secret_window: bool) -> bool:
    """True when a channel must not keep the message: it holds a secret by the rules above
    (``in_secret_window``: the bot asked for a secret a moment ago)."""
    return bool((in_secret_window and is_password_shaped(text)) or introduced_secrets(text))


_FLOW_ENDS = ("session_started", "restart")  # no flow runs on after them


# --- following a conversation ------------------------------------------------------------------
@dataclass
class ConversationSecrets:
    """Reads a conversation's events in order (Rasa's JSON form) and returns each as it may be
    stored: user messages and slot values with their secrets replaced."""

    requested: str | None = None  # the slot the running flow asks for
    flow_asked: bool = False  # the running flow asked for a secret
    ended_at: float | None = None  # when the last flow that asked for a secret ended
    secrets: list[str] = field(default_factory=list)  # those of the latest user message

    def redact(self, event: dict[str, Any]) -> dict[str, Any]:
        """The event to store (the same object when nothing in it is secret)."""
        kind, at = event.get("event"), event.get("timestamp")
        if kind == "user":
            return self._user(event)
        if kind == "slot":
            return self._slot(event)
        if kind == "bot":
            return self._bot(event)
        if kind in _FLOW_ENDS or (kind == "active_loop" and event.get("name") is None):
            self._ended(at)
            if kind in _FLOW_ENDS:
                self.requested = None
        return event

    def in_window(self, at: float | None) -> bool:
        if self.flow_asked:
            return True
        return None not in (self.ended_at, at) and at - self.ended_at <= SECRET_WINDOW_SECONDS

    def _ended(self, at: float | None) -> None:
        if self.flow_asked:
            self.flow_asked, self.ended_at = False, at

    def _bot(self, event: dict[str, Any]) -> dict[str, Any]:
        """A bot message: a flow's give-up ends it; an echo of a secret is removed."""
        if (event.get("metadata") or {}).get("utter_action") == GIVE_UP_RESPONSE:
            self._ended(event.get("timestamp"))
        text = event.get("text")
        scrubbed = self._scrub(text)
        return event if scrubbed == text else {**event, "text": scrubbed}

    def _user(self, event: dict[str, Any]) -> dict[str, Any]:
        text = event.get("text") or ""
        whole = is_secret_slot(self.requested) or (
            self.in_window(event.get("timestamp")) and is_password_shaped(text)
        )
        if whole:
            redacted, secrets = REDACTED, [text.strip()]
        else:
            redacted, secrets = redact_introduced(text)
        self.secrets = [s for s in secrets if s and s != REDACTED]
        if redacted == text:
            return event
        parse_data = event.get("parse_data") or {}
        entities = [] if whole else _entities_without(parse_data.get("entities") or [], text)
        return {
            **event,
            "text": redacted,
            "parse_data": {**parse_data, "text": redacted, "entities": entities},
        }

    def _slot(self, event: dict[str, Any]) -> dict[str, Any]:
        name, value = event.get("name"), event.get("value")
        if name == REQUESTED_SLOT:
            self.requested = value
            self.flow_asked = self.flow_asked or is_secret_slot(value)
            return event
        if value is None:
            return event
        if is_secret_slot(name):
            return {**event, "value": REDACTED}
        scrubbed = self._scrub(value)
        return event if scrubbed == value else {**event, "value": scrubbed}

    def _scrub(self, value: Any) -> Any:
        """A slot value filled from the message (text, entity) without its secrets."""
        if isinstance(value, list):
            return [self._scrub(item) for item in value]
        if not isinstance(value, str):
            return value
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        return value


def _entities_without(entities: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """The entities that hold no secret; their offsets no longer point into the new text."""
    secrets = introduced_secrets(text)

    def overlaps(entity: dict[str, Any]) -> bool:
        start, end = entity.get("start", -1), entity.get("end", -1)
        return any(start < s_end and s_start < end for s_start, s_end in secrets)

    return [e for e in entities if not overlaps(e) and not _holds_secret(e, text, secrets)]


def _holds_secret(entity: dict[str, Any], text: str, spans: list[tuple[int, int]]) -> bool:
    value = str(entity.get("value", ""))
    return any(value and value in text[start:end] for start, end in spans)
