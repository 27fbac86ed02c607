"""Documents the user attaches: the channel stores the file and sends its reference.

The web widget and the Telegram bridge store an upload through the backend and send the bot
a message whose metadata is ``{"documento": "<reference>"}``; other channels cannot attach.
"""

from rasa_sdk import Tracker

from actions.contract import CHANNEL_KEY, DOCUMENT_KEY, TELEGRAM, WEB
from actions.flow import Invalid
from backend import bootstrap, documents

FORMATS = "PDF, JPEG o PNG, al massimo 5 MB"


def channel(tracker: Tracker) -> str:
    """Where the user writes from: "web", "telegram", or another channel without uploads."""
    metadata = tracker.latest_message.get("metadata") or {}
    return str(metadata.get(CHANNEL_KEY) or tracker.get_latest_input_channel() or "")


def document_reference(tracker: Tracker) -> str | None:
    """The reference the latest message carries, unchecked; None when it carries none."""
    return (tracker.latest_message.get("metadata") or {}).get(DOCUMENT_KEY) or None


def attached_document(tracker: Tracker, what: str) -> str | None:
    """The reference of the document attached to the latest message, checked with the
    backend; None on a channel that cannot attach. ``what`` names the document expected."""
    reference = document_reference(tracker)
    if reference:
        documents.check_upload(bootstrap.unit_of_work(), reference)
        return reference
    if channel(tracker) == WEB:
        raise Invalid(
            f"Per allegare {what} usa il pulsante con la graffetta 📎 accanto al campo di "
            f"testo: {FORMATS}."
        )
    if channel(tracker) == TELEGRAM:
        raise Invalid(f"Per allegare {what} invia qui il file, come foto o PDF: {FORMATS}.")
    return None
