"""Personal data in the chat transcripts: erased with the account (right to erasure), and
kept no longer than ``TRANSCRIPT_RETENTION_DAYS``.

Rasa's tracker store (``events``) holds every conversation; the console's index
(``console_*``, same database) and the training marks (``training_marks``, the portal's
database) derive from it. Two scheduler jobs (``sportello.jobs`` entry points, see
``backend/jobs.py``) keep them in step:

- ``transcript_erasure``: for each deleted account (a ``transcript_erasures`` row written with
  the deletion) every chat in which someone logged in as that account or acted for it
  (slots ``account``, ``per_conto_di``) is deleted whole, events, index rows and training
  marks; then the row goes. A chat id is a browser's or a Telegram user's, so its other
  sessions go too: they are that person's.
- ``transcript_retention``: conversations (Rasa sessions) whose last event is older than the
  retention go, with their index rows and training marks.

The comments customers left with a rating (``ratings``, the portal's database) are their own
words too: they go with the chat they were written in, and at the retention; the anonymous
👍 / 👎 stays for the analytics.

Both are idempotent: a second run finds nothing left to delete.
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from actions.contract import ACCOUNT_SLOT, ACTING_FOR_SLOT
from backend import bootstrap, ratings, training
from backend.jobs import Job
from backend.settings import Settings
from backend.uow import Clock
from console.conversation_tables import CONVERSATIONS, DERIVED, EVENTS, WATERMARK
from console.conversations import ConversationIndex

_PERSON_SLOTS = (ACCOUNT_SLOT, ACTING_FOR_SLOT)


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=UTC).timestamp()


def _index(settings: Settings, clock: Clock) -> ConversationIndex:
    return ConversationIndex(settings.resolved_tracker_store_url(), lambda: _epoch(clock()))


def senders_of(db: sa.Connection, account_ids: set[int]) -> set[str]:
    """The chats whose slot events name one of these accounts as logged in or acted for."""
    named = sa.or_(*(EVENTS.c.data.like(f'%"{slot}"%') for slot in _PERSON_SLOTS))
    rows = db.execute(
        sa.select(EVENTS.c.sender_id, EVENTS.c.data).where(EVENTS.c.type_name == "slot", named)
    )
    senders = set()
    for sender_id, data in rows:
        event = json.loads(data)
        if event.get("name") in _PERSON_SLOTS and event.get("value") in account_ids:
            senders.add(sender_id)
    return senders


def _marks(settings: Settings) -> list[int]:
    """The event ids of the messages staff marked (a few hundred at most)."""
    with bootstrap.unit_of_work(settings) as uow:
        return [mark.event_id for mark in uow.training_marks.find()]


def _erase(db: sa.Connection, erased: sa.ColumnElement, marks: list[int]) -> list[int]:
    """Delete the events; the marked ones among them, whose marks must go too."""
    marked = db.scalars(sa.select(EVENTS.c.id).where(erased, EVENTS.c.id.in_(marks)))
    marked = list(marked) if marks else []
    db.execute(EVENTS.delete().where(erased))
    return marked


def _drop_index_rows(db: sa.Connection, conversation_ids: Iterable[int]) -> None:
    ids = list(conversation_ids)
    for table in DERIVED:  # children first
        key = table.c.id if table is CONVERSATIONS else table.c.conversation_id
        db.execute(table.delete().where(key.in_(ids)))


def erase_transcripts(settings: Settings, clock: Clock) -> int:
    """The ``transcript_erasure`` job: the chats of deleted accounts; how many chats went."""
    uow = bootstrap.unit_of_work(settings, clock)
    with uow:
        requests = uow.transcript_erasures.find()
        account_ids = {request.account_id for request in requests}
    if not account_ids:
        return 0
    index = _index(settings, clock)
    with index.engine.begin() as db:
        senders = senders_of(db, account_ids)
        conversations = db.scalars(
            sa.select(CONVERSATIONS.c.id).where(CONVERSATIONS.c.sender_id.in_(senders))
        )
        _drop_index_rows(db, list(conversations))
        marked = _erase(db, EVENTS.c.sender_id.in_(senders), _marks(settings))
    training.forget_marks(bootstrap.unit_of_work(settings, clock), marked)
    ratings.forget_comments_of(bootstrap.unit_of_work(settings, clock), senders)
    with uow:  # done: the request itself names a person, it goes too
        for request in uow.transcript_erasures.find_in("id", [r.id for r in requests]):
            uow.transcript_erasures.delete(request)
        uow.commit()
    return len(senders)


def purge_old_transcripts(settings: Settings, clock: Clock) -> int:
    """The ``transcript_retention`` job: conversations that ended before the retention
    period, with their index rows and marks; how many conversations went."""
    index = _index(settings, clock)
    index.catch_up()  # every session indexed: its bounds are known
    cutoff = _epoch(clock() - timedelta(days=settings.transcript_retention_days))
    with index.engine.begin() as db:
        indexed_up_to = db.scalar(sa.select(WATERMARK.c.last_event_id))
        old = db.execute(
            sa.select(CONVERSATIONS.c.id, CONVERSATIONS.c.sender_id).where(
                CONVERSATIONS.c.last_at < cutoff
            )
        ).all()
        marks = _marks(settings) if old else []
        marked: list[int] = []
        for sender_id in {row.sender_id for row in old}:
            # Sessions follow one another: what the sender said before the first recent one.
            kept_from = db.scalar(
                sa.select(sa.func.min(CONVERSATIONS.c.id)).where(
                    CONVERSATIONS.c.sender_id == sender_id, CONVERSATIONS.c.last_at >= cutoff
                )
            )
            end = EVENTS.c.id < kept_from if kept_from else EVENTS.c.id <= indexed_up_to
            marked += _erase(db, (EVENTS.c.sender_id == sender_id) & end, marks)
        _drop_index_rows(db, [row.id for row in old])
    training.forget_marks(bootstrap.unit_of_work(settings, clock), marked)
    retention = timedelta(days=settings.transcript_retention_days)
    ratings.forget_comments_before(bootstrap.unit_of_work(settings, clock), clock() - retention)
    return len(old)


TRANSCRIPT_ERASURE = Job(
    "transcript_erasure",
    "conversazioni degli account eliminati: cancellate, con indice della console e segnalazioni",
    "job_transcript_erasure_minutes",
    erase_transcripts,
)
TRANSCRIPT_RETENTION = Job(
    "transcript_retention",
    "conversazioni più vecchie di TRANSCRIPT_RETENTION_DAYS: cancellate, con indice e segnalazioni",
    "job_transcript_retention_minutes",
    purge_old_transcripts,
)
