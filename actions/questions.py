"""A form's question that the domain cannot hold: a summary, a list, buttons from the backend.

A fixed question is a response ``utter_ask_<slot>`` in ``domain.yml`` (buttons included).
When its text or buttons depend on the conversation, a subclass of ``AskAction`` names the
``slot`` and returns the messages from ``ask``; Rasa runs it as ``action_ask_<slot>``.
"""

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.flow import guarded, say


def yes_or_no(yes: str = "Sì") -> list[dict[str, str]]:
    """Yes and no buttons; the yes may say what it does («Sì, invia»)."""
    return [{"title": yes, "payload": "sì"}, {"title": "No", "payload": "no"}]


def clauses_question(intro: str, url: str) -> dict[str, Any]:
    """The legal clauses at ``url`` as a link, to accept or not."""
    return say(
        text=f"{intro}: {url}\nLe accetti?",
        buttons=[
            {"title": "Accetto", "payload": "accetto"},
            {"title": "Non accetto", "payload": "non accetto"},
        ],
    )


class AskAction(Action, ABC):
    """``action_ask_<slot>``: asks for one slot of a form with messages built from the tracker."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot asked for; subclasses set it as a class attribute."""

    @abstractmethod
    def ask(self, tracker: Tracker) -> list[dict[str, Any]]:
        """The messages that ask, each as ``actions.flow.say`` builds it."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for message in self.ask(tracker):
            dispatcher.utter_message(**message)
        return []
