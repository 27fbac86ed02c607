"""What the action server takes from the settings: the start-up check and the quoted rules.

rasa_sdk imports every module of this package when the server starts: invalid settings (for
instance no ``SECRET_KEY`` outside development) stop it here, with the reasons, before it
serves a request.

The answers that state a rule or link a page of the portal quote it through a slot
(``{codice_minuti}``, ``{password_requisiti}``, ``{link_help_online}``…) in domain.yml; every
conversation session starts by setting these slots from the settings and from the one
definition of the password rule (``backend.validators``), so the bot never contradicts
``CODE_TTL_MINUTES``, ``PASSWORD_CHANGE_HOURS``, ``ORARI_OPERATORI``, the configured pages
or the rule the registration enforces.
"""

from rasa_sdk.events import SlotSet

from backend.settings import Settings, settings_or_exit
from backend.validators import PASSWORD_RULE_IT

CODE_MINUTES_SLOT = "codice_minuti"
PASSWORD_CHANGE_HOURS_SLOT = "cambio_password_ore"
PASSWORD_RULE_SLOT = "password_requisiti"
OPERATOR_HOURS_SLOT = "orari_operatori"

settings_or_exit()


def quoted_rules(settings: Settings) -> list[SlotSet]:
    """The slots the answers quote, set at the start of every conversation session."""
    return [
        SlotSet(CODE_MINUTES_SLOT, settings.code_ttl_minutes),
        SlotSet(PASSWORD_CHANGE_HOURS_SLOT, settings.password_change_hours),
        SlotSet(PASSWORD_RULE_SLOT, PASSWORD_RULE_IT),
        SlotSet(OPERATOR_HOURS_SLOT, settings.operator_hours().describe_it()),
        # The FAQ's «qui» links: Help OnLine, the registration form, the Area Produttori's.
        SlotSet("link_help_online", settings.help_online_url),
        SlotSet("link_registrazione", settings.registration_url),
        SlotSet("link_area_produttori", settings.producer_registration_url),
    ]
