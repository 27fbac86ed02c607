"""Live hand-over on SQLite and PostgreSQL: racing operators, the feeds, Telegram delivery."""

import threading

from backend import live_chats, staff
from backend.errors import Conflict
from backend.operator_hours import parse_operator_hours

ALWAYS = parse_operator_hours("lun-dom 0-24")


def test_of_operators_racing_for_one_chat_exactly_one_takes_it(database, uow_factory):
    operators = [
        staff.add_staff(uow_factory(), f"op{n}", "agent", "Console#2024") for n in range(4)
    ]
    live_chats.set_available(uow_factory(), operators[0], True)
    chat_id = live_chats.request(uow_factory(), "web-a", "web", ALWAYS).chat_id
    barrier, outcomes = threading.Barrier(len(operators)), []

    def take(staff_id: int) -> None:
        uow = uow_factory()
        barrier.wait()
        try:
            live_chats.take(uow, chat_id, staff_id)
            outcomes.append(staff_id)
        except Conflict:
            outcomes.append(None)

    threads = [threading.Thread(target=take, args=(op,)) for op in operators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [winner] = [o for o in outcomes if o is not None]
    chat = live_chats.chat_for_operator(uow_factory(), chat_id, winner)
    assert chat.operator_id == winner
    assert len(live_chats.chat_messages(uow_factory(), chat_id, winner)) == 1  # one greeting


def test_the_feeds_read_after_a_number_and_telegram_once(database, uow_factory):
    anna = staff.add_staff(uow_factory(), "anna", "agent", "Console#2024")
    live_chats.set_available(uow_factory(), anna, True)
    web = live_chats.request(uow_factory(), "web-a", "web", ALWAYS).chat_id
    telegram = live_chats.request(uow_factory(), "telegram-1", "telegram", ALWAYS).chat_id
    _, hello = live_chats.take(uow_factory(), web, anna)
    live_chats.take(uow_factory(), telegram, anna)
    said = live_chats.customer_says(uow_factory(), "web-a", "il mio cf è RSSMRA80A01H501U")
    assert "RSSMRA80A01H501U" not in said.text
    answer = live_chats.operator_says(uow_factory(), web, anna, "Grazie, verifico.")
    feed = live_chats.messages_for_customer(uow_factory(), "web-a", hello.id)
    assert [m.id for m in feed] == [answer.id]
    assert said.id in [m.id for m in live_chats.messages_for_operator(uow_factory(), anna, 0)]
    pending = live_chats.undelivered(uow_factory(), "telegram")
    assert [m.sender_id for m in pending] == ["telegram-1"]
    live_chats.mark_delivered(uow_factory(), [m.id for m in pending])
    assert live_chats.undelivered(uow_factory(), "telegram") == []
