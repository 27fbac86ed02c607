"""Which answers are secret: the tracker store redacts them, the channels mask them.

A flow's slot is secret when its name ends in ``_password`` or ``_otp``: what the user
types while such a slot is requested is a password or a one-time code. Standard library
only: the Rasa plugins and the actions share it.
"""

SECRET_SUFFIXES = ("_password", "_otp")
REDACTED = "[riservato]"


def is_secret_slot(name: str | None) -> bool:
    return bool(name) and name.endswith(SECRET_SUFFIXES)
