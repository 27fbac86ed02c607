"""Reading short answers in everyday Italian: yes or no, person or company, a name, a span
of time."""

import re
import unicodedata

from actions.flow import Invalid
from backend.entities import CustomerKind
from backend.parsing import find_fiscal_code, find_vat_number
from backend.validators import validate_email

# What a form slot holds when its question does not apply (a person has no representative).
NOT_ASKED = "non richiesto"
_YES = re.compile(r"\b(si|sì|certo|ok|okay|va bene|accetto|confermo|esatto|giusto|procedi)\b")
_NO = re.compile(r"\b(no|non|rifiuto|annulla|nego)\b")
_COMPANY = re.compile(
    r"\b(azienda|societ[aà]|impresa|ditta|ente|giuridica|srl|s\.r\.l|spa|partita iva)\b"
)
_PERSON = re.compile(r"\b(persona|privato|privata|fisica|cittadino|io|me stesso|me stessa)\b")
_NAME_INTRO = re.compile(
    r"^(mi chiamo|sono|il mio nome [eè]|nome e cognome|nome)\s*[:,]?\s*", re.IGNORECASE
)
# Surname particles: "Maria De Luca" has the surname "De Luca".
_PARTICLES = {"de", "di", "da", "del", "della", "dello", "dei", "degli", "lo", "la", "li", "d'"}
_NUMBER_WORDS = {
    "un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5, "sei": 6,
    "sette": 7, "otto": 8, "nove": 9, "dieci": 10, "undici": 11, "dodici": 12,
    "quindici": 15, "venti": 20, "trenta": 30, "sessanta": 60, "novanta": 90,
}  # fmt: skip
_UNIT_DAYS = {"gio": 1, "set": 7, "mes": 30, "ann": 365}  # by the unit's first letters
_DURATION = re.compile(r"\b(?:(\d{1,4}|[a-z]+)\s*)?(giorn[oi]|gg|settiman[ae]|mes[ei]|ann[oi])\b")
_HALF_YEAR = re.compile(r"\b(mezzo anno|semestre)\b")


def answered(value: str | None) -> str:
    """A slot's answer, or "" where its question did not apply (``NOT_ASKED``)."""
    return "" if value in (None, NOT_ASKED) else value


def plain_text(text: str) -> str:
    """Lower case, composed accents, straight apostrophes: what the patterns here expect."""
    return unicodedata.normalize("NFC", text).lower().replace("’", "'").strip()


def parse_yes_no(text: str) -> bool:
    """True for yes, False for no; anything else is re-asked."""
    plain = plain_text(text)
    yes, no = _YES.search(plain), _NO.search(plain)
    if yes or no:  # the first word decides: "non accetto" is a no, "sì, non ho dubbi" a yes
        return bool(yes) and (not no or yes.start() < no.start())
    raise Invalid("Rispondi sì oppure no, anche con i pulsanti.")


def parse_customer_kind(text: str) -> CustomerKind:
    plain = plain_text(text)
    if _COMPANY.search(plain):  # before person: "persona giuridica" is a company
        return CustomerKind.COMPANY
    if _PERSON.search(plain):
        return CustomerKind.PERSON
    raise Invalid("Scegli «Persona fisica» oppure «Azienda» (persona giuridica).")


def parse_person_name(text: str) -> tuple[str, str]:
    """("Maria Grazia", "De Luca") from "mi chiamo Maria Grazia De Luca"."""
    words = _NAME_INTRO.sub("", text.strip()).replace(",", " ").split()
    if len(words) < 2 or len(words) > 6 or any(not _is_name_word(word) for word in words):
        raise Invalid("Scrivi nome e cognome, ad esempio «Mario Rossi».")
    split = next(
        (i for i, word in enumerate(words[1:], 1) if plain_text(word) in _PARTICLES), len(words) - 1
    )
    return " ".join(words[:split]), " ".join(words[split:])


def _is_name_word(word: str) -> bool:
    return all(char.isalpha() or char in "'’-." for char in word)


def parse_email(text: str) -> str:
    """The e-mail inside "la mia mail è mario@esempio.it", checked (a PEC is refused)."""
    word = next((w.strip(".,;:!?<>()«»\"'") for w in text.split() if "@" in w), text)
    return validate_email(word)


def parse_fiscal_id(text: str, kind: str | None) -> str:
    """The Partita IVA (or Codice Fiscale) of a company, the Codice Fiscale of a person."""
    if kind == CustomerKind.COMPANY:
        number = find_vat_number(text) or find_fiscal_code(text)
        reason = "La Partita IVA non è valida: controlla le 11 cifre."
    else:
        number = find_fiscal_code(text)
        reason = (
            "Il Codice Fiscale non è valido: controlla i 16 caratteri "
            "(li trovi sulla tessera sanitaria)."
        )
    if number is None:
        raise Invalid(reason)
    return number


def parse_duration(text: str) -> int:
    """Days from "6 mesi", "un anno", "90 giorni", "due settimane" (a month counts 30 days)."""
    plain = plain_text(text)
    if _HALF_YEAR.search(plain):
        return 180
    match = _DURATION.search(plain)
    amount = None
    if match:
        word = match.group(1)
        if word is None:  # "anno", "mese": one
            amount = 1
        elif word.isdigit():
            amount = int(word)
        else:
            amount = _NUMBER_WORDS.get(word)
    if match is None or amount is None:
        raise Invalid(
            "Indica la durata con il numero e l'unità, ad esempio «6 mesi», «90 giorni» "
            "o «un anno» (al massimo un anno)."
        )
    unit = match.group(2)
    return amount * (1 if unit == "gg" else _UNIT_DAYS[unit[:3]])
