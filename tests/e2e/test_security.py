"""The web chat against a client that tries what an attacker would, on the real stack: the
web app, Rasa and the actions, rate limits and credentials on the real Redis."""

import uuid

import pytest

from actions.contract import TELEGRAM, sender_id
from bot.channels.web.identity import HEADER
from tests.support.chat import Chat, RestChat, conversation_of, said

pytestmark = pytest.mark.e2e

LOG_IN_FIRST = "devi prima accedere"
SUPPLIES = "mostrami le mie forniture"


def message(text: str, **extra) -> dict:
    return {"id": uuid.uuid4().hex, "message": text, **extra}


def test_two_clients_cannot_reach_each_other_s_conversation(open_chat, stack, logged_in, chat):
    assert LOG_IN_FIRST not in said(chat(SUPPLIES))  # the customer's own chat is logged in
    intruder = open_chat()
    for credential in ("", chat.sender, chat.sender.removeprefix("web-")):
        reply = intruder.post(message(SUPPLIES, sender=chat.sender), credential=credential)
        assert reply.status_code == 200 and LOG_IN_FIRST in said(reply.json())
    assert intruder.sender != chat.sender
    assert [event["text"] for event in stack.user_events(chat.sender)][-1] == SUPPLIES


def test_a_telegram_conversation_cannot_be_reached_from_the_web(open_chat, stack, customer):
    telegram = RestChat(open_chat().client, stack.web_url, stack.rasa_url)
    telegram.rest_sender = sender_id(TELEGRAM, 700_000_000 + uuid.uuid4().int % 10**8)
    telegram.login(customer)  # as the bridge relays it: a logged-in Telegram conversation
    before = len(stack.user_events(telegram.sender))
    web = open_chat()
    for named in (telegram.sender, telegram.sender.removeprefix("telegram-")):
        reply = web.post(message(SUPPLIES, sender=named), credential=named)
        assert reply.status_code == 200 and LOG_IN_FIRST in said(reply.json())
        assert customer.email not in reply.text
        assert conversation_of(reply.headers[HEADER]).startswith("web-")
    assert len(stack.user_events(telegram.sender)) == before


def test_a_credential_from_before_the_login_stops_working(chat, customer, stack):
    chat("ciao")
    planted = chat.credential  # e.g. fixed in the victim's browser by an attacker
    chat.login(customer)
    assert chat.credential != planted and chat.sender == Chat.sender.fget(chat)
    assert LOG_IN_FIRST not in said(chat(SUPPLIES))
    events = len(stack.user_events(chat.sender))
    reply = chat.post(message(SUPPLIES), credential=planted)
    assert reply.status_code == 200 and LOG_IN_FIRST in said(reply.json())
    assert len(stack.user_events(chat.sender)) == events  # the logged-in chat never saw it


def test_a_flood_from_one_address_gets_429_while_another_is_answered(open_chat, stack):
    flooder = open_chat()
    statuses = [flooder.post({}).status_code for _ in range(260)]  # cheap: refused unread
    assert statuses[0] == 400 and statuses[-1] == 429 and set(statuses) == {400, 429}
    refused = flooder.post(message("ciao"))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "troppi messaggi" in refused.json()["errore"]
    other = open_chat()
    assert other.post(message("che browser devo usare?")).status_code == 200


def test_the_bot_learns_the_client_address(chat, stack):
    chat("che browser devo usare?")
    assert stack.user_events(chat.sender)[-1]["metadata"]["cliente"] == chat.address


@pytest.mark.parametrize(
    "raw",
    [
        b'{"id": "abcdefgh1", "message": "\\udcda"}',
        b'{"id": "abcdefgh2", "message": ""}',
        b'{"id": "abcdefgh3", "message": 5}',
        b"non json",
        b"[" * 10_000,
    ],
    ids=["lone surrogate", "empty", "not text", "not JSON", "deep"],
)
def test_bad_input_gets_400_in_italian(chat, raw):
    response = chat.client.post(
        f"{chat.web_url}/api/chat", content=raw, headers={"X-Forwarded-For": chat.address}
    )
    assert response.status_code == 400 and "non valida" in response.json()["errore"]
