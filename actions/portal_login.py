"""The portal's login hand-off: a chat opened by a logged-in portal user starts authenticated.

The portal signs a short-lived JWT (HS256, key ``PORTAL_JWT_KEY``) whose ``sub`` is the
account's e-mail or id and which carries an ``exp``; the web widget sends it with every
message and the web app relays it to Rasa as the metadata ``portal_token``, re-signed to last
a minute (Rasa stores message metadata). At the start of each conversation session Rasa
runs this ``action_session_start``: it does what Rasa's default does and, when the token of
the session's first message verifies, fills the ``account`` slot. A missing, forged, expired
or unknown-account token changes nothing: the user can still log in in the chat. The session
start also sets the rules the answers quote (actions/configuration.py).
"""

from typing import Any

import jwt
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.configuration import quoted_rules
from actions.contract import ACCOUNT_SLOT, LISTEN_ACTION, PORTAL_TOKEN_KEY, SESSION_START_ACTION
from actions.session import RENEWAL
from backend import bootstrap
from backend.entities import AccountStatus
from backend.settings import get_settings

# Rasa fills this slot with the metadata of the message that started the session.
SESSION_METADATA_SLOT = "session_started_metadata"


def account_from_token(token: Any, key: str | None) -> int | None:
    """The id of the active account a valid portal token names, else None."""
    if not (isinstance(token, str) and token and key):
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], options={"require": ["sub", "exp"]})
    except jwt.InvalidTokenError:
        return None
    subject = str(claims["sub"]).strip()
    with bootstrap.unit_of_work() as uow:
        if subject.isdigit():
            account = uow.accounts.get(int(subject))
        else:
            account = uow.accounts.first(email=subject.lower())
        if account is None or account.status != AccountStatus.ACTIVE:
            return None
        return account.id


class ActionSessionStart(Action):
    """Rasa's session start (carrying slots over when the domain says so), the quoted rules
    and the hand-off."""

    def name(self) -> str:
        return SESSION_START_ACTION

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        if domain.get("session_config", {}).get("carry_over_slots_to_new_session", True):
            events += [
                SlotSet(name, value)
                for name, value in tracker.current_slot_values().items()
                if value is not None and name != SESSION_METADATA_SLOT
            ]
        metadata = tracker.get_slot(SESSION_METADATA_SLOT) or {}
        if metadata:  # as Rasa's default does, without the token
            kept = {key: value for key, value in metadata.items() if key != PORTAL_TOKEN_KEY}
            events.append(SlotSet(SESSION_METADATA_SLOT, kept))
        settings = get_settings()
        events += quoted_rules(settings)
        account = account_from_token(metadata.get(PORTAL_TOKEN_KEY), settings.portal_jwt_key)
        if account is not None:
            events.append(SlotSet(ACCOUNT_SLOT, account))
            dispatcher.utter_message(**RENEWAL)
        events.append(ActionExecuted(LISTEN_ACTION))
        return events
