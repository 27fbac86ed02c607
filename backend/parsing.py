"""Find a phone number, Codice Fiscale or Partita IVA inside free-form chat text."""

import re
from collections.abc import Callable, Iterable

import phonenumbers

from backend.errors import InvalidInput
from backend.validators import validate_fiscal_code, validate_mobile, validate_vat_number

# Omocodic codes replace digits with L M N P Q R S T U V, hence letters in numeric places.
_CF = r"[A-Z]{6}[\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{2}[A-Z][\dLMNPQRSTUV]{3}[A-Z]"
_CF_CANDIDATE = re.compile(rf"\b{_CF}\b")
_CF_ANYWHERE = re.compile(rf"(?=({_CF}))")  # overlapping: words run together once compacted
_VAT_CANDIDATE = re.compile(r"(?<!\d)(?:IT\s?)?(\d{11})(?!\d)")
_SEPARATORS = re.compile(r"[\s.\-/]")


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
    return _first_valid(_candidates(_CF_CANDIDATE, _CF_ANYWHERE, text), validate_fiscal_code)


def find_vat_number(text: str) -> str | None:
    """The first valid Partita IVA in the text."""
    return _first_valid(_candidates(_VAT_CANDIDATE, _VAT_CANDIDATE, text), validate_vat_number)


def _candidates(pattern: re.Pattern, compact_pattern: re.Pattern, text: str) -> list[str]:
    """Matches in the text, then in the text without separators: people type
    "RSS MRA 85T10 A562S" or "011.146.010.06"."""
    upper = text.upper()
    return pattern.findall(upper) + compact_pattern.findall(_SEPARATORS.sub("", upper))
