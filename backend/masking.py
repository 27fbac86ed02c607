"""Partial masking of personal data shown back to the user or to staff."""


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
