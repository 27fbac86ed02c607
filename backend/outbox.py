"""Queue e-mails and SMS in the outbox, in the same transaction as their cause.

An SMS goes in through ``backend.sms_budget``, which counts it against the SMS budget first.

Message texts are Italian templates in ``backend/templates/<name>.txt`` (``string.Template``);
an e-mail template starts with a ``Oggetto: ...`` line followed by a blank line.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template

from backend.entities import Channel, OutboxMessage, OutboxStatus

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@cache
def _template(name: str) -> tuple[Template, Template]:
    text = (TEMPLATES / f"{name}.txt").read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if first.startswith("Oggetto:"):
        return Template(first.removeprefix("Oggetto:").strip()), Template(rest.lstrip("\n"))
    return Template(""), Template(text)


def render(template: str, /, **values) -> Rendered:
    subject, body = _template(template)
    return Rendered(subject.substitute(values), body.substitute(values).strip() + "\n")


def send_email(uow, to: str, template: str, **values) -> OutboxMessage:
    return send(uow, Channel.EMAIL, to, template, **values)


def send(uow, channel: Channel, to: str, template: str, **values) -> OutboxMessage:
    # Rules the texts quote come from the settings, so the messages never contradict them.
    values.setdefault("minutes", uow.settings.code_ttl_minutes)
    values.setdefault("hours", uow.settings.password_change_hours)
    message = render(template, **values)
    now = uow.now()
    return uow.outbox.add(
        OutboxMessage(
            channel=channel,
            recipient=to,
            subject=message.subject,
            body=message.body,
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
    )


def as_json(message: OutboxMessage) -> str:
    return json.dumps(
        {
            "to": message.recipient,
            "channel": message.channel,
            "subject": message.subject,
            "body": message.body,
            "created_at": message.created_at.isoformat(),
        },
        ensure_ascii=False,
    )


def list_messages(uow, to: str | None = None) -> list[OutboxMessage]:
    """Messages oldest first, optionally only those for one address or number."""
    with uow:
        return uow.outbox.find(recipient=to) if to else uow.outbox.find()
