"""Asking for a person: the queue when an operator is «Disponibile», the callback otherwise."""

import pytest
from rasa_sdk.events import SlotSet

from actions.live_handover import ActionLeaveQueue, ActionTalkNow, ActionTalkToOperator
from backend import live_chats, staff
from backend.entities import LiveChatEnd, LiveChatState
from backend.settings import get_settings
from tests.unit.actions.conftest import tracker
from tests.unit.backend.backend_fakes import add_active_account

WEB_MESSAGE = {"canale": "web"}


@pytest.fixture
def anna(uow) -> int:
    """An operator «Disponibile» (the manual clock is within the default hours)."""
    agent = staff.add_staff(uow, "anna", "agent", "Console#2024")
    live_chats.set_available(uow, agent, True)
    return agent


def test_without_an_operator_available_the_answer_is_the_callback_as_always(run, uow):
    events, messages = run(ActionTalkToOperator(), tracker("operatore", intent="human_handoff"))
    assert events == []
    assert messages == [_response("utter_human_handoff")]


def test_with_an_operator_available_the_customer_may_talk_now_or_be_called(run, uow, anna):
    events, messages = run(ActionTalkToOperator(), tracker("operatore", intent="human_handoff"))
    assert events == []
    assert messages == [_response("utter_operatore_disponibile")]


def test_talking_now_joins_the_queue_and_tells_the_widget_to_listen(run, uow, anna):
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    on = tracker("/parla_ora", intent="parla_ora", slots={"account": account}, metadata=WEB_MESSAGE)
    events, messages = run(ActionTalkNow(), on)
    assert events == [SlotSet("in_coda", True)]
    assert messages == [
        _response("utter_in_coda", posizione="1°", minuti="5 minuti"),
        {**_response(None), "custom": {"diretta": "attesa"}},
    ]
    (chat,) = uow.live_chats.find()
    assert (chat.sender_id, chat.channel, chat.account_id) == ("u1", "web", account)
    assert chat.state == LiveChatState.WAITING


def test_asking_again_while_waiting_says_the_place(run, uow, anna):
    live_chats.request(uow, "someone-else", "telegram", get_settings().operator_hours())
    run(ActionTalkNow(), tracker("/parla_ora", intent="parla_ora", metadata=WEB_MESSAGE))
    _, messages = run(ActionTalkToOperator(), tracker("operatore", intent="human_handoff"))
    assert messages == [_response("utter_ancora_in_coda", posizione="2°", minuti="10 minuti")]
    assert len(uow.live_chats.find()) == 2


def test_when_the_operator_left_meanwhile_the_callback_is_offered(run, uow, anna):
    live_chats.set_available(uow, anna, False)
    events, messages = run(ActionTalkNow(), tracker("/parla_ora", intent="parla_ora"))
    assert events == [SlotSet("in_coda", False)]
    assert messages == [_response("utter_operatori_non_disponibili")]
    assert uow.live_chats.find() == []


def test_annulla_in_the_queue_leaves_it_and_offers_the_callback(run, uow, anna):
    run(ActionTalkNow(), tracker("/parla_ora", intent="parla_ora", metadata=WEB_MESSAGE))
    events, messages = run(ActionLeaveQueue(), tracker("annulla", intent="annulla"))
    assert events == [SlotSet("in_coda", False)]
    assert messages == [_response("utter_uscito_dalla_coda")]
    (chat,) = uow.live_chats.find()
    assert (chat.state, chat.end_reason) == (LiveChatState.ENDED, LiveChatEnd.LEFT)


def test_annulla_after_an_operator_took_the_chat_leaves_nothing(run, uow, anna):
    run(ActionTalkNow(), tracker("/parla_ora", intent="parla_ora", metadata=WEB_MESSAGE))
    live_chats.take(uow, uow.live_chats.find()[0].id, anna)
    events, messages = run(ActionLeaveQueue(), tracker("annulla", intent="annulla"))
    assert events == [SlotSet("in_coda", False)]
    assert messages == [_response("utter_niente_da_annullare")]
    assert uow.live_chats.find()[0].state == LiveChatState.ACTIVE


def _response(name, **variables):
    """A message as CollectingDispatcher records it."""
    return {
        "text": None,
        "buttons": [],
        "elements": [],
        "custom": {},
        "template": name,
        "response": name,
        "image": None,
        "attachment": None,
        **variables,
    }
