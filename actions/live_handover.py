"""Asking for a person: the operators' queue when one is «Disponibile», the callback otherwise.

Whether someone can answer now, the queue and the places are the backend's
(``backend/live_chats.py``); pausing the bot when an operator takes the chat is the console's
(``console/rasa_conversation.py``). Here the customer asks, joins the queue, asks where they
are, or leaves it with «annulla». The ``in_coda`` slot only lets the rules tell «annulla»
in the queue from «annulla» in a flow: the database decides who is waiting.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contract import IN_QUEUE_SLOT, LIVE_KEY, LIVE_WAITING
from actions.flow import guarded
from actions.session import logged_in
from actions.uploads import channel
from backend import bootstrap, live_chats
from backend.errors import NotAllowed
from backend.settings import get_settings


def ordinal(position: int) -> str:
    """Italian: 1 → «1°»."""
    return f"{position}°"


def minutes_it(minutes: int) -> str:
    """«1 minuto», «5 minuti»."""
    return f"{minutes} " + ("minuto" if minutes == 1 else "minuti")


def _say_place(dispatcher: CollectingDispatcher, response: str, place: live_chats.Place) -> None:
    dispatcher.utter_message(
        response=response, posizione=ordinal(place.position), minuti=minutes_it(place.minutes)
    )


class ActionTalkToOperator(Action):
    """«Voglio parlare con un operatore»: now, when one is «Disponibile»; otherwise the hours,
    the callback and 803.500, as always."""

    def name(self) -> str:
        return "action_parla_con_operatore"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        uow = bootstrap.unit_of_work()
        place = live_chats.place(uow, tracker.sender_id)
        if place is not None:
            _say_place(dispatcher, "utter_ancora_in_coda", place)
        elif live_chats.can_talk_now(uow, get_settings().operator_hours()):
            dispatcher.utter_message(response="utter_operatore_disponibile")
        else:
            dispatcher.utter_message(response="utter_human_handoff")
        return []


class ActionTalkNow(Action):
    """«Parla ora con un operatore»: the customer joins the queue; the widget starts listening
    for the operator's messages ({LIVE_KEY: LIVE_WAITING})."""

    def name(self) -> str:
        return "action_parla_ora"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            place = live_chats.request(
                bootstrap.unit_of_work(),
                tracker.sender_id,
                channel(tracker) or "rest",
                get_settings().operator_hours(),
                account_id=logged_in(tracker),
            )
        except NotAllowed:
            dispatcher.utter_message(response="utter_operatori_non_disponibili")
            return [SlotSet(IN_QUEUE_SLOT, False)]
        _say_place(dispatcher, "utter_in_coda", place)
        dispatcher.utter_message(json_message={LIVE_KEY: LIVE_WAITING})
        return [SlotSet(IN_QUEUE_SLOT, True)]


class ActionLeaveQueue(Action):
    """«annulla» while waiting: out of the queue, with the callback on offer."""

    def name(self) -> str:
        return "action_lascia_coda"

    @guarded
    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        if live_chats.leave(bootstrap.unit_of_work(), tracker.sender_id):
            dispatcher.utter_message(response="utter_uscito_dalla_coda")
        else:  # taken or timed out meanwhile: nothing left to leave
            dispatcher.utter_message(response="utter_niente_da_annullare")
        return [SlotSet(IN_QUEUE_SLOT, False)]
