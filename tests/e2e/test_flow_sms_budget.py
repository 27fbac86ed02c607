"""The SMS budget over the real stack: one client address, four registrations, three SMS.

Each registration runs in a conversation of its own through the web app, as a pumping script
would open them, all from one client address (``X-Forwarded-For`` from the stack's trusted
proxy): the web app forwards it to the bot as ``cliente`` (actions/contract.py CLIENT_KEY),
whatever the client puts in its own metadata.
"""

import uuid

import pytest

from tests.support.chat import said
from tests.support.customers import new_identity

pytestmark = pytest.mark.e2e


def register_until_sms(chat, address: str) -> tuple[str, str, str]:
    """A new person's registration up to the mobile, from `address` (a forged ``cliente``
    in the metadata changes nothing); returns (e-mail, mobile, the reply)."""
    person = new_identity()
    chat.address = address
    forged = {"cliente": uuid.uuid4().hex}
    for text in ("voglio registrarmi", "sono un privato", "Anna Maria De Santis"):
        chat(text, forged)
    chat(person.fiscal_code, forged)
    chat(person.email, forged)
    return person.email, person.mobile, said(chat(person.mobile, forged))


def test_the_fourth_sms_flow_from_one_address_is_refused_and_queues_nothing(open_chat, stack, uow):
    address = f"2001:db8:{uuid.uuid4().hex[:4]}::1"
    for _ in range(3):
        _, mobile, reply = register_until_sms(open_chat(), address)
        assert f"termina con …{mobile[-2:]}" in reply
        assert len(stack.messages_to(mobile)) == 1

    email, mobile, reply = register_until_sms(open_chat(), address)

    assert "al massimo 3 richieste con invio di SMS in un'ora" in reply
    assert "Help OnLine" in reply and "numero verde 803.500" in reply
    assert "Non ho salvato nessun dato" in reply
    assert stack.messages_to(mobile) == []
    with uow() as work:
        assert work.accounts.first(email=email) is None
    # Another address is not held up by this one.
    _, other_mobile, reply = register_until_sms(open_chat(), f"2001:db8:{uuid.uuid4().hex[:4]}::2")
    assert f"termina con …{other_mobile[-2:]}" in reply
    assert len(stack.messages_to(other_mobile)) == 1
