"""Ratings: one vote per offer, a masked and capped comment, the analytics' summary."""

from datetime import date, datetime, timedelta

import pytest

from backend import ratings
from backend.entities import MAX_COMMENT, LiveChat, LiveChatState
from backend.errors import InvalidInput, NotFound

ALICE, BOB = "web-alice", "telegram-bob"


def vote(uow, offer="assistente", positive=True, sender=ALICE, rating_id=None) -> int:
    channel = sender.partition("-")[0]
    return ratings.record(
        uow, sender_id=sender, channel=channel, offer=offer, positive=positive, rating_id=rating_id
    )


def live_chat(uow, clock, sender=ALICE) -> int:
    now = clock()
    chat = LiveChat(
        sender_id=sender,
        channel="web",
        state=LiveChatState.ENDED,
        requested_at=now,
        last_customer_at=now,
    )
    return uow.live_chats.add(chat).id


def test_a_vote_is_recorded_with_the_conversation_and_the_subject(uow, clock):
    rating_id = vote(uow, positive=False, sender=BOB)
    (rating,) = uow.ratings.find()
    assert (rating.id, rating.sender_id, rating.channel) == (rating_id, BOB, "telegram")
    assert (rating.subject, rating.live_chat_id, rating.score) == ("assistente", None, -1)
    assert (rating.comment, rating.created_at) == (None, clock())


def test_voting_again_on_the_same_offer_changes_the_vote(uow):
    first = vote(uow, positive=True)
    again = vote(uow, positive=False, rating_id=first)
    assert again == first
    assert [r.score for r in uow.ratings.find()] == [-1]


def test_a_new_offer_of_the_assistant_is_a_new_rating(uow):
    vote(uow)
    vote(uow)  # a later task, its offer without a previous vote
    assert len(uow.ratings.find()) == 2


def test_someone_else_s_rating_id_is_not_changed(uow):
    alice_s = vote(uow, positive=True)
    vote(uow, positive=False, sender=BOB, rating_id=alice_s)
    assert [(r.sender_id, r.score) for r in uow.ratings.find()] == [(ALICE, 1), (BOB, -1)]


def test_an_operator_s_hand_over_is_rated_once(uow, clock):
    chat = live_chat(uow, clock)
    first = vote(uow, offer=f"operatore:{chat}", positive=False)
    assert vote(uow, offer=f"operatore:{chat}", positive=True) == first
    (rating,) = uow.ratings.find()
    assert (rating.subject, rating.live_chat_id, rating.score) == ("operatore", chat, 1)


def test_a_hand_over_of_another_conversation_cannot_be_rated(uow, clock):
    chat = live_chat(uow, clock, sender=BOB)
    for offer in (f"operatore:{chat}", f"operatore:{chat + 1}"):
        with pytest.raises(NotFound):
            vote(uow, offer=offer)
    assert uow.ratings.find() == []


@pytest.mark.parametrize("offer", [None, "", "operatore", "operatore:x", "assistente:3", "bot"])
def test_without_a_valid_offer_nothing_is_recorded(uow, offer):
    with pytest.raises(InvalidInput):
        vote(uow, offer=offer)
    assert uow.ratings.find() == []


def test_the_comment_is_masked_and_capped(uow):
    rating_id = vote(uow)
    text = "Ottimo! Scrivetemi a mario.rossi@gmail.com o al 333 123 4567, CF RSSMRA80A01H501U "
    ratings.add_comment(uow, rating_id=rating_id, sender_id=ALICE, text=text + "x" * 600)
    comment = uow.ratings.get(rating_id).comment
    assert len(comment) == MAX_COMMENT
    assert comment.startswith("Ottimo! Scrivetemi a m****i@g****.com o al ********67, CF RS")
    for secret in ("mario.rossi", "123 4567", "RSSMRA80A01H501U"):
        assert secret not in comment


def test_a_comment_goes_only_on_one_s_own_rating(uow):
    rating_id = vote(uow)
    with pytest.raises(NotFound):
        ratings.add_comment(uow, rating_id=rating_id, sender_id=BOB, text="pessimo")
    with pytest.raises(InvalidInput):
        ratings.add_comment(uow, rating_id=rating_id, sender_id=ALICE, text="   ")
    assert uow.ratings.get(rating_id).comment is None


def test_the_summary_counts_per_day_and_subject_and_lists_the_latest_comments(uow, clock):
    start = clock()
    chat = live_chat(uow, clock)
    first = vote(uow, positive=True)
    ratings.add_comment(uow, rating_id=first, sender_id=ALICE, text="chiaro e veloce")
    vote(uow, positive=False, sender=BOB)
    clock.advance(days=1)
    vote(uow, offer=f"operatore:{chat}", positive=True)
    late = vote(uow, positive=False)
    ratings.add_comment(uow, rating_id=late, sender_id=ALICE, text="non ho capito")
    clock.advance(days=1)
    vote(uow)  # after the period

    result = ratings.summary(uow, start, start + timedelta(days=2))

    day1, day2 = start.date(), start.date() + timedelta(days=1)
    assert sorted(result.days) == [day1, day2]
    assert (result.days[day1].assistant.positive, result.days[day1].assistant.negative) == (1, 1)
    assert result.days[day1].operators == ratings.Tally(0, 0)
    assert result.days[day2].operators == ratings.Tally(1, 0)
    assert result.days[day2].assistant == ratings.Tally(0, 1)
    assert result.total.assistant.satisfaction == 1 / 3
    assert result.total.operators.satisfaction == 1.0
    assert [(c.text, c.positive) for c in result.comments] == [
        ("non ho capito", False),
        ("chiaro e veloce", True),
    ]


def test_the_summary_counts_on_the_day_the_caller_names(uow, clock):
    vote(uow)
    start = clock()
    result = ratings.summary(
        uow, start, start + timedelta(hours=1), day_of=lambda _: date(2000, 1, 1)
    )
    assert list(result.days) == [date(2000, 1, 1)]
    assert ratings.summary(uow, datetime(2000, 1, 1), start).days == {}
    assert ratings.Tally().satisfaction == 0.0


def test_comments_go_with_their_conversations_and_at_the_retention(uow, clock):
    old = vote(uow)
    ratings.add_comment(uow, rating_id=old, sender_id=ALICE, text="vecchio")
    clock.advance(days=10)
    alice_s, bob_s = vote(uow), vote(uow, sender=BOB)
    for rating_id, sender in ((alice_s, ALICE), (bob_s, BOB)):
        ratings.add_comment(uow, rating_id=rating_id, sender_id=sender, text="recente")
    assert ratings.forget_comments_before(uow, clock() - timedelta(days=1)) == 1
    assert ratings.forget_comments_of(uow, {BOB, "web-nobody"}) == 1
    assert ratings.forget_comments_of(uow, set()) == 0
    found = [(r.sender_id, r.score, r.comment) for r in uow.ratings.find()]
    assert found == [(ALICE, 1, None), (ALICE, 1, "recente"), (BOB, 1, None)]
