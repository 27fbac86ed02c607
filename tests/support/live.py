"""Live hand-overs for the tests and `make bench`: an operator available, a conversation in
the queue, taken, written to; the web credential of a conversation the test makes up."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

from backend import live_chats, staff
from backend.operator_hours import parse_operator_hours
from backend.settings import Settings
from backend.uow import AbstractUnitOfWork
from bot.channels.web.identity import Credential, Credentials

ALWAYS = parse_operator_hours("lun-dom 0-24")
_names = itertools.count(1)


def web_conversation(settings: Settings) -> tuple[Credential, str]:
    """A conversation as the web app issues it, and the token the widget sends for it."""
    credentials = Credentials(settings)
    credential = credentials.new()
    return credential, credentials.token(credential)


class Operator:
    """An operator of Help OnLine, «Disponibile», who takes chats and writes in them."""

    def __init__(self, uow: Callable[[], AbstractUnitOfWork], name: str = "anna"):
        self.uow = uow
        username = f"{name}.{next(_names)}{uuid.uuid4().hex[:6]}"
        self.id = staff.add_staff(uow(), username, "agent", "Console#2024")
        live_chats.set_available(uow(), self.id, True)

    def queue(self, sender: str, channel: str = "web") -> int:
        """The customer asks for a person: their chat's id."""
        return live_chats.request(self.uow(), sender, channel, ALWAYS).chat_id

    def take(self, sender: str, channel: str = "web") -> int:
        chat_id = self.queue(sender, channel)
        live_chats.take(self.uow(), chat_id, self.id)
        return chat_id

    def says(self, chat_id: int, text: str) -> int:
        return live_chats.operator_says(self.uow(), chat_id, self.id, text).id

    def heard(self, after: int = 0) -> list[str]:
        """What the customers of this operator's chats wrote."""
        messages = live_chats.messages_for_operator(self.uow(), self.id, after)
        return [m.text for m in messages if m.author == "customer"]
