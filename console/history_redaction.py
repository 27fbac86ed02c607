"""`sportello redact-history`: the secret rules of actions/redaction.py applied to
conversations stored before them, and the console's index rebuilt from the result.

The tracker store redacts what it writes; conversations written before it did (a password
typed once more after the login gave up, «la password è …» in a sentence) keep the secret in
Rasa's `events` table and in the index derived from it. The command reads each sender's
events in order, rewrites only the events that change, and rebuilds the index: a second run
finds nothing to change.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import sqlalchemy as sa
import typer

from actions.redaction import ConversationSecrets
from console.conversation_tables import DERIVED, EVENTS, WATERMARK
from console.conversations import ConversationIndex


@dataclass(frozen=True)
class Redacted:
    senders: int  # conversations (senders) read
    events: int  # events rewritten


def redact_history(index: ConversationIndex) -> Redacted:
    """Redacts the stored events of every sender, then rebuilds the index from them."""
    with index.engine.connect() as db:
        rows = db.execute(
            sa.select(EVENTS.c.id, EVENTS.c.sender_id, EVENTS.c.data)
            .order_by(EVENTS.c.sender_id, EVENTS.c.id)
            .execution_options(yield_per=5000)
        )
        changed, senders = [], 0
        for _, events in itertools.groupby(rows, key=lambda row: row.sender_id):
            senders += 1
            changed += _changed(events)
    with index.engine.begin() as db:
        if changed:
            db.execute(
                EVENTS.update().where(EVENTS.c.id == sa.bindparam("event_id")),
                [{"event_id": event_id, "data": data} for event_id, data in changed],
            )
        for table in DERIVED:
            db.execute(table.delete())
        db.execute(WATERMARK.update().values(last_event_id=0))
    index.catch_up()
    return Redacted(senders, len(changed))


def _changed(events) -> list[tuple[int, str]]:
    """(id, new data) of the sender's events that held a secret."""
    conversation, changed = ConversationSecrets(), []
    for row in events:
        data = json.loads(row.data)
        stored = conversation.redact(data)
        if stored != data:
            changed.append((row.id, json.dumps(stored)))
    return changed


cli = typer.Typer(help="Toglie i segreti dalle conversazioni già salvate.")


@cli.callback(invoke_without_command=True)
def run() -> None:
    """Redact passwords and codes in the stored conversations and rebuild the console index."""
    done = redact_history(ConversationIndex())
    typer.echo(
        f"Conversazioni lette: {done.senders} mittenti; eventi corretti: {done.events}. "
        "Indice della console ricostruito."
    )
