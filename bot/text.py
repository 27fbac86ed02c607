"""Plain text checks shared by the Rasa server and the app (no imports beyond the stdlib)."""


def is_readable(text: str | None) -> bool:
    """True when the text has at least one letter or digit (not only emoji or punctuation)."""
    return bool(text) and any(char.isalnum() for char in text)
