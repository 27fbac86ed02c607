"""Reading short answers in everyday Italian: yes or no, person or company, a name."""

import re
import unicodedata

from actions.flow import Invalid
from backend.models import CustomerKind
from backend.parsing import find_fiscal_code, find_vat_number
from backend.validators import validate_email

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


def _plain(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower().replace("’", "'").strip()


def parse_yes_no(text: str) -> bool:
    """True for yes, False for no; anything else is re-asked."""
    plain = _plain(text)
    yes, no = _YES.search(plain), _NO.search(plain)
    if yes or no:  # the first word decides: "non accetto" is a no, "sì, non ho dubbi" a yes
        return bool(yes) and (not no or yes.start() < no.start())
    raise Invalid("Rispondi sì oppure no, anche con i pulsanti.")


def parse_customer_kind(text: str) -> CustomerKind:
    plain = _plain(text)
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
        (i for i, word in enumerate(words[1:], 1) if _plain(word) in _PARTICLES), len(words) - 1
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
