"""Validation and normalisation of what users type: fiscal codes, phones, e-mails, PODs,
passwords. Each ``validate_*`` returns the normalised value or raises ``InvalidInput``.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import email_validator
import phonenumbers
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

from backend.entities import CustomerKind
from backend.errors import InvalidInput
from backend.wording import join_it

PEC_DOMAINS_FILE = Path(__file__).resolve().parent / "data" / "pec_domains.txt"
POD_PATTERN = re.compile(r"IT\d{3}E\d{8}")


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def validate_fiscal_code(value: str) -> str:
    """A person's 16-character Codice Fiscale (omocodic ones included)."""
    number = _compact(value)
    if len(number) != 16:
        raise InvalidInput("Il Codice Fiscale deve avere 16 caratteri.")
    try:
        return codicefiscale.validate(number)
    except StdnumError as exc:
        raise InvalidInput(
            "Il Codice Fiscale non è valido: controlla di averlo scritto bene."
        ) from exc


def validate_vat_number(value: str) -> str:
    """An 11-digit Partita IVA (a company's fiscal code is the same number)."""
    number = _compact(value).removeprefix("IT")
    try:
        return iva.validate(number)
    except StdnumError as exc:
        raise InvalidInput("La Partita IVA non è valida: controlla le 11 cifre.") from exc


def classify_fiscal_id(value: str) -> tuple[CustomerKind, str]:
    """Tell a person's Codice Fiscale from a company's Partita IVA, validating either."""
    number = _compact(value)
    if len(number) == 16:
        return CustomerKind.PERSON, validate_fiscal_code(number)
    if re.fullmatch(r"(IT)?\d{11}", number):
        return CustomerKind.COMPANY, validate_vat_number(number)
    raise InvalidInput("Indica un Codice Fiscale (16 caratteri) oppure una Partita IVA (11 cifre).")


def _italian_number(value: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput("Il numero di telefono non è valido.") from exc
    italian = phonenumbers.region_code_for_number(number) == "IT"
    if not (italian and phonenumbers.is_valid_number(number)):
        raise InvalidInput("Serve un numero di telefono italiano valido.")
    return number


def validate_phone(value: str) -> str:
    """Any Italian number (landlines too); returns E.164 (+39...)."""
    number = _italian_number(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_mobile(value: str) -> str:
    """An Italian mobile number in any common writing; returns E.164 (+39...)."""
    number = _italian_number(value)
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise InvalidInput("Il numero indicato non è un cellulare: serve un cellulare italiano.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def pec_domains() -> frozenset[str]:
    lines = PEC_DOMAINS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and line[0] != "#")


def is_pec(email: str) -> bool:
    """Certified mail: a known provider (or its subdomain), a ``pec`` label, ``legalmail``."""
    domain = email.rsplit("@", 1)[-1].lower()
    labels = domain.split(".")
    suffixes = {".".join(labels[i:]) for i in range(len(labels))}
    return bool(suffixes & pec_domains()) or "pec" in labels[:-1] or "legalmail" in domain


def validate_email(value: str) -> str:
    """A syntactically valid e-mail that is not a PEC; returns it normalised (lower-case)."""
    try:
        info = email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise InvalidInput("L'indirizzo e-mail non è valido.") from exc
    email = info.normalized.lower()
    if is_pec(email):
        raise InvalidInput(
            "L'indirizzo indicato è una PEC (posta certificata): serve un'e-mail ordinaria."
        )
    return email


def validate_pod(value: str) -> str:
    """A POD such as IT001E12345678; spaces removed, upper-case."""
    pod = re.sub(r"\s", "", value).upper()
    if not POD_PATTERN.fullmatch(pod):
        raise InvalidInput(
            "Il codice POD non è valido: inizia con IT, tre cifre, la lettera E e 8 cifre "
            "(ad esempio IT001E12345678); lo trovi in bolletta."
        )
    return pod


def _is_special(char: str) -> bool:
    return not (char.isalnum() or char.isspace())


# The password rule, as the FAQ states it (FAQ 2) and nothing more: every answer, question
# and refusal says PASSWORD_RULE_IT, and only these checks run. The FAQ gives no minimum
# length, so none is enforced (a rule the customer cannot read anywhere would contradict the
# portal's own answer); guessing is bounded by the login lock (LOGIN_MAX_FAILURES) and
# argon2id. The maximum only caps the work one input may cause, and no person or password
# manager types 128 characters: it is told only to whoever exceeds it.
PASSWORD_RULES = (
    ("un carattere maiuscolo", lambda password: any(c.isupper() for c in password)),
    ("un numero", lambda password: any(c.isdigit() for c in password)),
    ("un carattere speciale", lambda password: any(_is_special(c) for c in password)),
)
PASSWORD_RULE_IT = (
    "almeno un carattere maiuscolo, un numero e un carattere speciale (ad esempio ! @ # $ % ^ & +)"
)
PASSWORD_MAX_LENGTH = 128


def missing_password_requirements(password: str) -> list[str]:
    """What the password lacks of the rule, in Italian («un numero»); empty when it has all."""
    return [name for name, met in PASSWORD_RULES if not met(password)]


def validate_password(password: str) -> str:
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(f"La password può avere al massimo {PASSWORD_MAX_LENGTH} caratteri.")
    missing = missing_password_requirements(password)
    if missing:
        lacks = "manca" if len(missing) == 1 else "mancano"
        raise InvalidInput(
            f"La password deve contenere {PASSWORD_RULE_IT}: in quella che hai scritto "
            f"{lacks} {join_it(missing)}."
        )
    return password


@dataclass(frozen=True)
class Holder:
    """Who registers: a person (name, surname, Codice Fiscale) or a company (name, Partita
    IVA and the Codice Fiscale of the legal representative who registers it, FAQ 10)."""

    kind: CustomerKind
    fiscal_code: str
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    representative_fiscal_code: str = ""


def validate_holder(
    fiscal_id: str,
    *,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    representative_fiscal_code: str = "",
) -> Holder:
    kind, number = classify_fiscal_id(fiscal_id)
    if kind == CustomerKind.PERSON:
        if not (first_name.strip() and last_name.strip()):
            raise InvalidInput("Per una persona fisica servono nome e cognome.")
        return Holder(kind, number, first_name.strip(), last_name.strip())
    if not company_name.strip():
        raise InvalidInput("Per una persona giuridica serve la ragione sociale.")
    if not representative_fiscal_code.strip():
        raise InvalidInput(
            "Per una persona giuridica serve anche il Codice Fiscale del rappresentante legale."
        )
    representative = validate_fiscal_code(representative_fiscal_code)
    return Holder(
        kind, number, company_name=company_name.strip(), representative_fiscal_code=representative
    )
