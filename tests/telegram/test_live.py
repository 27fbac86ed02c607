"""Live hand-over on Telegram: the real bridge process, the fake Bot API, the stack's database."""

import time
from unittest.mock import ANY

import pytest

from actions.contract import RATING_PROMPT, rating_buttons
from backend import live_chats
from console.rasa_conversation import RasaConversation, rating_offered
from tests.support.live import Operator
from tests.telegram.test_bridge import fake_message, keyboard

pytestmark = pytest.mark.e2e


def texts(fake, user: int) -> list[str]:
    return [call.params["text"] for call in fake.calls_to("sendMessage", user)]


def test_the_operator_s_messages_reach_the_chat_once_and_in_order(fake, bridge, uow, user):
    operator = Operator(uow)
    chat = operator.take(f"telegram-{user}", "telegram")
    operator.says(chat, "Buongiorno, verifico subito.")
    operator.says(chat, "Fatto: la pratica risulta aperta.")
    greeting, first, second = [call.params["text"] for call in fake.wait_messages(user, 3, 15)]
    assert greeting.startswith("Ciao, sono Anna di Help OnLine")
    assert first == "Anna · Help OnLine\nBuongiorno, verifico subito."
    assert second.endswith("\nFatto: la pratica risulta aperta.")
    fake.wait_for(lambda: live_chats.undelivered(uow(), "telegram") == [], 5)  # marked
    time.sleep(2.5)  # two more rounds of the job: nothing goes twice
    assert len(texts(fake, user)) == 3


def test_a_send_telegram_refused_goes_again_next_round(fake, bridge, uow, user):
    operator = Operator(uow)
    chat = operator.take(f"telegram-{user}", "telegram")
    fake.wait_messages(user, 1, 15)  # the greeting
    fake.break_next("sendMessage", times=2)
    operator.says(chat, "Primo messaggio.")
    operator.says(chat, "Secondo messaggio.")
    calls = fake.wait_for(lambda: len(texts(fake, user)) >= 5 and texts(fake, user), 15)
    # Two failed tries of the first message, then both in order; the second never before it.
    assert calls[1:] == ["Anna · Help OnLine\nPrimo messaggio."] * 3 + [
        "Anna · Help OnLine\nSecondo messaggio."
    ]
    time.sleep(2.5)
    assert len(texts(fake, user)) == 5


def test_what_the_customer_writes_reaches_the_operator(fake, bridge, uow, user):
    operator = Operator(uow)
    operator.take(f"telegram-{user}", "telegram")
    fake.wait_messages(user, 1, 15)
    fake.message(user, "il mio codice fiscale è RSSMRA80A01H501U, la password è Segreta#2024")
    heard = fake.wait_for(lambda: operator.heard(), 30)
    assert "RSSMRA80A01H501U" not in heard[0] and "Segreta#2024" not in heard[0]
    assert heard[0].startswith("il mio codice fiscale è")
    fake.command(user, "start")  # a command says an intent to the bot, not words to a person
    fake.message(user, "grazie")
    fake.wait_for(lambda: len(operator.heard()) == 2, 30)
    assert operator.heard()[1] == "grazie"


def test_the_hand_over_s_rating_arrives_as_buttons_and_a_press_records_it(
    fake, bridge, stack, uow, user
):
    fake.message(user, "vorrei parlare con una persona")
    fake.wait_messages(user, 1, 15)
    operator = Operator(uow)
    sender = f"telegram-{user}"
    chat = operator.take(sender, "telegram")
    live_chats.give_back(uow(), chat, operator.id)
    # What «Restituisci all'assistente» does after the database: the customer's invitation,
    # and the offer in the transcript that the vote is checked against.
    live_chats.tell(uow(), chat, RATING_PROMPT, rating_buttons())
    RasaConversation(stack.rasa_url).append(sender, rating_offered(chat))
    *_, invitation = fake.wait_messages(user, 4, 15)
    assert invitation.params["text"] == RATING_PROMPT
    assert keyboard(invitation) == [("👍", 'p:/valuta{"voto":"positivo"}'), ("👎", ANY)]
    before = len(texts(fake, user))
    fake.press(user, fake_message(invitation), 'p:/valuta{"voto":"positivo"}')
    fake.wait_for(lambda: len(texts(fake, user)) > before, 15)
    assert "Grazie per la tua valutazione" in texts(fake, user)[before]
    with uow() as unit:
        [rating] = unit.ratings.find(live_chat_id=chat)
    assert (rating.subject, rating.score, rating.sender_id) == ("operatore", 1, sender)
