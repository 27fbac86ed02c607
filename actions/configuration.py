"""What the action server takes from the settings: the start-up check and the quoted rules.

rasa_sdk imports every module of this package when the server starts: invalid settings (for
instance no ``SECRET_KEY`` outside development) stop it here, with the reasons, before it
serves a request.

The answers that state how long a code lasts or how often the password may change say
``{codice_minuti}`` and ``{cambio_password_ore}`` in domain.yml; every conversation session
starts by setting these slots from the settings, so the bot never contradicts
``CODE_TTL_MINUTES`` / ``PASSWORD_CHANGE_HOURS``.
"""

from rasa_sdk.events import SlotSet

from backend.settings import Settings, settings_or_exit

CODE_MINUTES_SLOT = "codice_minuti"
PASSWORD_CHANGE_HOURS_SLOT = "cambio_password_ore"

settings_or_exit()


def quoted_rules(settings: Settings) -> list[SlotSet]:
    """The slots the answers quote, set at the start of every conversation session."""
    return [
        SlotSet(CODE_MINUTES_SLOT, settings.code_ttl_minutes),
        SlotSet(PASSWORD_CHANGE_HOURS_SLOT, settings.password_change_hours),
    ]
