"""A stand-in for console/rasa_conversation.py's RasaConversation in the console's tests."""

from console.rasa_conversation import RasaUnavailable


class RecordingRasa:
    """What the console appended to each conversation; ``down`` refuses like a dead Rasa."""

    def __init__(self):
        self.appended: list[tuple[str, list[dict]]] = []
        self.down = False

    def append(self, sender_id: str, events: list[dict]) -> None:
        if self.down:
            raise RasaUnavailable("ConnectError")
        self.appended.append((sender_id, events))
