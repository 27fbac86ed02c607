"""Find a phone number, Codice Fiscale or Partita IVA inside free-form chat text."""

import re
from collections.abc import Callable, Iterable

import phonenumbers

from backend.errors import InvalidInput
from backend.validators import validate_fiscal_code, validate_mobile, validate_vat_number

# Omocodic codes replace digits with L M N P Q R S T U V, hence letters in numeric places.
_CF_CANDIDATE = re.compile(
    r"\b[A-Z]{6}[\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z]\b"
)
_VAT_CANDIDATE = re.compile(r"(?<!\d)(?:IT\s?)?(\d{11})(?!\d)")


def _first_valid(candidates: Iterable[str], validate: Callable[[str], str]) -> str | None:
    for candidate in candidates:
        try:
            return validate(candidate)
        except InvalidInput:
            continue
    return None


def find_mobile(text: str) -> str | None:
    """The first valid Italian mobile number in the text, as E.164."""
    matches = phonenumbers.PhoneNumberMatcher(text, "IT")
    return _first_valid((match.raw_string for match in matches), validate_mobile)


def find_fiscal_code(text: str) -> str | None:
    """The first valid 16-character Codice Fiscale in the text."""
    return _first_valid(_CF_CANDIDATE.findall(text.upper()), validate_fiscal_code)


def find_vat_number(text: str) -> str | None:
    """The first valid Partita IVA in the text."""
    return _first_valid(_VAT_CANDIDATE.findall(text.upper()), validate_vat_number)
