"""Live hand-over: availability, the queue, taking over, the messages, the endings."""

from datetime import timedelta

import pytest

from backend import live_chats, staff
from backend.entities import Author, LiveChatEnd, LiveChatState
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.operator_hours import parse_operator_hours

ALWAYS = parse_operator_hours("lun-dom 0-24")
NEVER_NOW = parse_operator_hours("dom 23-24")  # the manual clock starts on a Monday morning


@pytest.fixture
def anna(uow) -> int:
    agent = staff.add_staff(uow, "anna", "agent", "Console#2024")
    live_chats.set_available(uow, agent, True)
    return agent


def test_nobody_can_answer_without_an_available_operator_within_hours(uow, clock):
    bruno = staff.add_staff(uow, "bruno", "agent", "Console#2024")
    assert not live_chats.can_talk_now(uow, ALWAYS)
    live_chats.set_available(uow, bruno, True)
    assert live_chats.can_talk_now(uow, ALWAYS)
    assert not live_chats.can_talk_now(uow, NEVER_NOW)
    with pytest.raises(NotAllowed):
        live_chats.request(uow, "web-x", "web", NEVER_NOW)
    assert uow.live_chats.find() == []


def test_a_closed_console_page_stops_offering_the_operator(uow, clock, anna):
    clock.advance(seconds=59)
    assert live_chats.keep_present(uow, anna)
    clock.advance(seconds=59)
    assert live_chats.can_talk_now(uow, ALWAYS)  # the last poll was a second ago
    clock.advance(seconds=61)
    assert not live_chats.can_talk_now(uow, ALWAYS)


def test_the_queue_gives_each_customer_a_place_and_asking_again_keeps_it(uow, anna):
    first = live_chats.request(uow, "web-a", "web", ALWAYS)
    second = live_chats.request(uow, "telegram-b", "telegram", ALWAYS, account_id=None)
    assert (first.position, second.position) == (1, 2)
    assert second.minutes == 2 * live_chats.DEFAULT_MINUTES_PER_CHAT
    assert live_chats.request(uow, "telegram-b", "telegram", ALWAYS) == second
    assert live_chats.leave(uow, "web-a")
    assert live_chats.place(uow, "telegram-b").position == 1
    assert not live_chats.leave(uow, "web-a")
    assert [e.event for e in uow.audit.find()].count("live_requested") == 2


def test_taking_over_tells_the_customer_and_only_one_operator_wins(uow, anna):
    carla = staff.add_staff(uow, "carla.bianchi", "agent", "Console#2024")
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    chat, message = live_chats.take(uow, chat_id, carla)
    assert chat.state == LiveChatState.ACTIVE and chat.operator_id == carla
    assert "Carla" in message.text and message.author == Author.SYSTEM
    with pytest.raises(Conflict):
        live_chats.take(uow, chat_id, anna)
    assert uow.live_chats.get(chat_id).operator_id == carla
    assert live_chats.place(uow, "web-a") is None
    assert [e.details["staff_id"] for e in uow.audit.find(event="live_taken")] == [carla]


def test_a_take_rasa_refused_is_undone_back_to_the_queue(uow, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    _chat, hello = live_chats.take(uow, chat_id, anna)
    live_chats.untake(uow, chat_id, anna, hello.id)
    assert live_chats.place(uow, "web-a").position == 1
    assert live_chats.messages_for_customer(uow, "web-a", 0) == []
    assert [e.details["staff_id"] for e in uow.audit.find(event="live_untaken")] == [anna]
    assert live_chats.take(uow, chat_id, anna)[0].operator_id == anna


def test_the_customer_of_an_ended_chat_can_still_be_told(uow, clock, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    clock.advance(minutes=10)
    live_chats.end_waited_too_long(uow, timedelta(minutes=5))
    told = live_chats.tell(uow, chat_id, "Ti richiameremo.")
    assert [m.id for m in live_chats.messages_for_customer(uow, "web-a", 0)] == [told.id]
    assert told.author == Author.SYSTEM
    with pytest.raises(NotFound):
        live_chats.tell(uow, 999, "?")


def test_messages_both_ways_are_numbered_and_masked_for_staff(uow, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    assert live_chats.customer_says(uow, "web-a", "ciao?") is None  # waiting: the bot answers
    _chat, hello = live_chats.take(uow, chat_id, anna)
    said = live_chats.customer_says(uow, "web-a", "la mia mail è mario.rossi@example.com")
    assert "mario.rossi@example.com" not in said.text
    answer = live_chats.operator_says(uow, chat_id, anna, "  Controllo subito.  ")
    assert (answer.text, answer.operator_name) == ("Controllo subito.", "Anna")
    to_customer = live_chats.messages_for_customer(uow, "web-a", 0)
    assert [m.id for m in to_customer] == [hello.id, answer.id]
    assert live_chats.messages_for_customer(uow, "web-a", answer.id) == []
    assert [m.id for m in live_chats.messages_for_operator(uow, anna, hello.id)] == [
        said.id,
        answer.id,
    ]
    audit = uow.audit.find(event="live_message")[0].details
    assert "text" not in audit and audit["id"] == answer.id


def test_bad_operator_messages_change_nothing(uow, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    with pytest.raises(NotFound):  # not taken yet: not anybody's to write in
        live_chats.operator_says(uow, chat_id, anna, "ciao")
    live_chats.take(uow, chat_id, anna)
    for text in ("   ", "x" * 2001):
        with pytest.raises(InvalidInput):
            live_chats.operator_says(uow, chat_id, anna, text)
    assert len(uow.live_messages.find()) == 1


def test_an_operator_reads_only_the_queue_and_their_own_chats(uow, anna):
    dario = staff.add_staff(uow, "dario", "agent", "Console#2024")
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    assert live_chats.chat_for_operator(uow, chat_id, dario).id == chat_id
    live_chats.take(uow, chat_id, anna)
    with pytest.raises(NotFound):
        live_chats.chat_for_operator(uow, chat_id, dario)
    with pytest.raises(NotFound):
        live_chats.chat_messages(uow, chat_id, dario)
    assert len(live_chats.chat_messages(uow, chat_id, anna)) == 1
    board = live_chats.board(uow, anna)
    assert (board.waiting, [c.id for c in board.mine], board.available) == ([], [chat_id], True)


def test_giving_back_and_closing_end_the_chat_once(uow, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    live_chats.take(uow, chat_id, anna)
    chat, message = live_chats.give_back(uow, chat_id, anna)
    assert (chat.state, chat.end_reason) == (LiveChatState.ENDED, LiveChatEnd.RETURNED)
    assert "assistente virtuale" in message.text
    with pytest.raises(Conflict):
        live_chats.close(uow, chat_id, anna)
    assert live_chats.customer_says(uow, "web-a", "grazie") is None
    again = live_chats.request(uow, "web-a", "web", ALWAYS)
    assert again.chat_id != chat_id
    live_chats.take(uow, again.chat_id, anna)
    closed, _ = live_chats.close(uow, again.chat_id, anna)
    assert closed.end_reason == LiveChatEnd.CLOSED
    events = [e.event for e in uow.audit.find()]
    assert events.count("live_returned") == events.count("live_closed") == 1


def test_the_wait_estimate_learns_from_the_chats_handled(uow, clock, anna):
    chat_id = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    live_chats.take(uow, chat_id, anna)
    clock.advance(minutes=2, seconds=10)
    live_chats.give_back(uow, chat_id, anna)
    live_chats.keep_present(uow, anna)
    assert live_chats.request(uow, "web-b", "web", ALWAYS).minutes == 3


def test_the_timeouts_end_waiting_and_silent_chats(uow, clock, anna):
    late = live_chats.request(uow, "web-a", "web", ALWAYS).chat_id
    taken = live_chats.request(uow, "web-b", "web", ALWAYS).chat_id
    live_chats.take(uow, taken, anna)
    clock.advance(minutes=4)
    live_chats.keep_present(uow, anna)
    live_chats.customer_says(uow, "web-b", "ci sei?")
    assert live_chats.end_waited_too_long(uow, timedelta(minutes=5)) == []
    clock.advance(minutes=1)
    [ended] = live_chats.end_waited_too_long(uow, timedelta(minutes=5))
    assert (ended.id, ended.end_reason) == (late, LiveChatEnd.QUEUE_TIMEOUT)
    assert live_chats.end_idle(uow, timedelta(minutes=2)) == []
    clock.advance(minutes=1)
    [idle] = live_chats.end_idle(uow, timedelta(minutes=2))
    assert idle.chat.id == taken and idle.message.author == Author.SYSTEM
    assert live_chats.end_idle(uow, timedelta(minutes=2)) == []


def test_telegram_gets_each_operator_message_once(uow, anna):
    chat_id = live_chats.request(uow, "telegram-9", "telegram", ALWAYS).chat_id
    live_chats.request(uow, "web-a", "web", ALWAYS)
    live_chats.take(uow, chat_id, anna)
    live_chats.customer_says(uow, "telegram-9", "salve")
    live_chats.operator_says(uow, chat_id, anna, "Buongiorno!")
    pending = live_chats.undelivered(uow, "telegram")
    assert [m.author for m in pending] == [Author.SYSTEM, Author.OPERATOR]
    live_chats.mark_delivered(uow, [m.id for m in pending])
    assert live_chats.undelivered(uow, "telegram") == []
