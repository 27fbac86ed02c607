"""Ratings on SQLite and PostgreSQL: one row per offer, the masked comment, the period's sum."""

from datetime import timedelta

import pytest

from backend import live_chats, ratings, staff
from backend.entities import Rating
from backend.errors import Conflict
from backend.operator_hours import parse_operator_hours

ALWAYS = parse_operator_hours("lun-dom 0-24")


def test_votes_comments_and_the_summary_are_stored(database, uow_factory, clock):
    start = clock()
    anna = staff.add_staff(uow_factory(), "anna", "agent", "Console#2024")
    live_chats.set_available(uow_factory(), anna, True)
    chat = live_chats.request(uow_factory(), "web-a", "web", ALWAYS).chat_id
    offer = f"operatore:{chat}"
    first = ratings.record(
        uow_factory(), sender_id="web-a", channel="web", offer=offer, positive=False
    )
    again = ratings.record(
        uow_factory(), sender_id="web-a", channel="web", offer=offer, positive=True
    )
    assert again == first
    bot = ratings.record(
        uow_factory(),
        sender_id="telegram-b",
        channel="telegram",
        offer="assistente",
        positive=False,
    )
    ratings.add_comment(
        uow_factory(), rating_id=bot, sender_id="telegram-b", text="chiamatemi al 3331234567"
    )
    clock.advance(days=1)
    ratings.record(
        uow_factory(), sender_id="web-c", channel="web", offer="assistente", positive=True
    )

    result = ratings.summary(uow_factory(), start, start + timedelta(days=2))

    assert [(d, t.assistant, t.operators) for d, t in sorted(result.days.items())] == [
        (start.date(), ratings.Tally(0, 1), ratings.Tally(1, 0)),
        (start.date() + timedelta(days=1), ratings.Tally(1, 0), ratings.Tally(0, 0)),
    ]
    [comment] = result.comments
    assert (comment.subject, comment.positive, comment.text) == (
        "assistente",
        False,
        "chiamatemi al ********67",
    )


def test_a_live_chat_has_one_rating_in_the_database_itself(database, uow_factory, clock):
    """Two votes racing past the lookup: the unique key refuses the second row."""
    anna = staff.add_staff(uow_factory(), "anna", "agent", "Console#2024")
    live_chats.set_available(uow_factory(), anna, True)
    chat = live_chats.request(uow_factory(), "web-a", "web", ALWAYS).chat_id
    ratings.record(
        uow_factory(), sender_id="web-a", channel="web", offer=f"operatore:{chat}", positive=True
    )
    uow = uow_factory()
    with uow, pytest.raises(Conflict):
        uow.ratings.add(
            Rating(
                sender_id="web-a",
                channel="web",
                subject="operatore",
                live_chat_id=chat,
                score=-1,
                created_at=clock(),
            )
        )
    with uow_factory() as uow:
        assert [r.score for r in uow.ratings.find()] == [1]
