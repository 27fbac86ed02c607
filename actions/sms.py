"""Who asks for an SMS: what the SMS budget (``backend.sms_budget``) counts a client by."""

from rasa_sdk import Tracker

from actions.contract import CLIENT_KEY


def client(tracker: Tracker) -> str:
    """The client address the channel forwarded with the message; where it forwards none
    (Telegram, the internal REST channel) the conversation, whose id the server issued."""
    address = (tracker.latest_message.get("metadata") or {}).get(CLIENT_KEY)
    if isinstance(address, str) and address.strip():
        return f"indirizzo:{address.strip()}"
    return f"conversazione:{tracker.sender_id}"
