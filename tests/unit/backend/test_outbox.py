import json
import re

import pytest

from backend import outbox
from backend.outbox import TEMPLATES

NAMES = sorted(path.stem for path in TEMPLATES.glob("*.txt"))
CODE_SMS = [
    n for n in NAMES if n.startswith("sms_") and "$code" in (TEMPLATES / f"{n}.txt").read_text()
]
VALUES = {
    "name": "Mario Rossi",
    "code": "123456",
    "minutes": 30,
    "hours": 24,
    "delegate": "Giulia Bianchi",
    "delegator": "Mario Rossi",
    "days": 90,
    "number": 7,
    "change": "ha collegato il POD IT001E12345678",
    "status": "attiva",
    "email": "m****o@g****.it",
    "practices": "PC-1",
    "note": "-",
    "ticket": 12,
    "outcome": "è stata gestita ed è ora chiusa.",
    "message": "Le abbiamo spiegato come fare.",
}


@pytest.mark.parametrize("name", NAMES)
def test_every_template_renders_with_a_subject_only_for_email(name):
    rendered = outbox.render(name, **VALUES)
    assert "$" not in rendered.body
    assert bool(rendered.subject) == name.startswith("email_")


@pytest.mark.parametrize("name", CODE_SMS)
def test_code_sms_fit_in_one_message_and_carry_the_code(name):
    body = outbox.render(name, **VALUES).body.strip()
    assert len(body) <= 160 and "123456" in body and "30 minuti" in body


def test_a_missing_value_is_an_error_not_a_silent_gap():
    with pytest.raises(KeyError):
        outbox.render("email_password_reset", name="Mario")


def test_messages_quote_the_configured_code_lifetime(uow):
    uow.settings = uow.settings.model_copy(update={"code_ttl_minutes": 10})
    message = outbox.send(uow, "sms", "+393331234567", "sms_registration_code", code="654321")
    assert "Vale 10 minuti" in message.body and message.status == "pending"


def test_json_lines_have_the_contract_fields(uow):
    message = outbox.send_email(uow, "a@gmail.com", "email_welcome", name="Mario")
    data = json.loads(outbox.as_json(message))
    assert data == {
        "to": "a@gmail.com",
        "channel": "email",
        "subject": "Registrazione completata",
        "body": message.body,
        "created_at": "2026-03-02T09:00:00",
    }
    assert re.search(r"Gentile Mario,", data["body"])
    assert outbox.list_messages(uow, "a@gmail.com") == [message]
    assert outbox.list_messages(uow, "b@gmail.com") == []
