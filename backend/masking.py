"""Partial masking of personal data shown back to the user or to staff."""

import re


def _mask_word(word: str) -> str:
    if len(word) <= 2:
        return word[:1] + "****"
    return f"{word[0]}****{word[-1]}"


def mask_email(email: str) -> str:
    """``mario.rossi@gmail.it`` → ``m****i@g****.it`` (first/last of the name, TLD kept)."""
    local, _, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    masked_domain = (name[:1] + "****") + (f".{tld}" if tld else "")
    return f"{_mask_word(local)}@{masked_domain}"


def mask_phone(number: str) -> str:
    """Only the last two digits stay visible: ``+393331234567`` → ``*********67``."""
    digits = [c for c in number if c.isdigit()]
    return "*" * max(len(digits) - 2, 0) + "".join(digits[-2:])


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Omocodic codes swap digits for letters, and people type the code in groups.
_OMO = "[0-9LMNPQRSTUV]"
_FISCAL_CODE = re.compile(
    rf"\b[A-Z]{{3}} ?[A-Z]{{3}} ?{_OMO}{{2}}[A-Z]{_OMO}{{2}} ?[A-Z]{_OMO}{{3}}[A-Z]\b", re.I
)
_VAT_NUMBER = re.compile(r"\b(?:IT ?)?\d{11}\b", re.I)
_POD = re.compile(r"\bIT ?\d{3} ?E ?\d{8}\b", re.I)
# Italian mobiles and landlines, with or without +39, in groups; not the toll-free 803.500.
_PHONE = re.compile(r"(?<![\w*])(?:(?:\+|00)39[ .-]?)?(?:3\d{2}|0\d{1,3})(?:[ .-]?\d){5,8}(?!\w)")


def _mask_code(match: re.Match) -> str:
    code = re.sub(r"\s", "", match.group())
    return f"{code[:2]}{'*' * (len(code) - 4)}{code[-2:]}"


def mask_personal_data(text: str) -> str:
    """Text for staff eyes: e-mails, fiscal codes, VAT numbers, PODs and phones masked."""
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = _FISCAL_CODE.sub(_mask_code, text)
    text = _POD.sub(_mask_code, text)
    text = _VAT_NUMBER.sub(_mask_code, text)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text)
