"""Satisfaction: the customer's 👍 / 👎 on a task the assistant completed or on a hand-over
to an operator, with an optional comment, and what they add up to for the analytics.

The chat offers a rating (actions/ratings.py; the console at the end of a hand-over) and the
vote comes back as an ordinary message of the same conversation, so it carries the channel's
server-issued identity and its rate limits. One offer is rated once: a second vote on the
same offer changes the first instead of counting twice. The comment is stored masked
(fiscal codes, phones, e-mails) and capped, as staff read it.
"""

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime

from backend.entities import MAX_COMMENT, RatedSubject, Rating
from backend.errors import InvalidInput, NotFound
from backend.masking import mask_personal_data

LATEST_COMMENTS = 20
NOTHING_TO_RATE = "Non c'è nulla da valutare in questo momento."


@dataclass(frozen=True)
class Offer:
    """What the customer was invited to rate: the assistant, or one live chat."""

    subject: RatedSubject
    live_chat_id: int | None = None


def parse_offer(value: str | None) -> Offer:
    """``"assistente"`` or ``"operatore:<live chat id>"`` (actions/contract.py)."""
    subject, _, chat = (value or "").partition(":")
    if subject == RatedSubject.ASSISTANT and not chat:
        return Offer(RatedSubject.ASSISTANT)
    if subject == RatedSubject.OPERATOR and chat.isdigit():
        return Offer(RatedSubject.OPERATOR, int(chat))
    raise InvalidInput(NOTHING_TO_RATE)


def record(
    uow,
    *,
    sender_id: str,
    channel: str,
    offer: str,
    positive: bool,
    rating_id: int | None = None,
) -> int:
    """The conversation's vote on ``offer``; returns the rating's id. ``rating_id`` is the
    vote already given on this offer, if any: voting again changes it."""
    wanted = parse_offer(offer)
    score = 1 if positive else -1
    with uow:
        rating = _given(uow, sender_id, wanted, rating_id)
        if rating is not None:
            rating.score = score
        else:
            rating = uow.ratings.add(
                Rating(
                    sender_id=sender_id,
                    channel=channel,
                    subject=str(wanted.subject),
                    live_chat_id=wanted.live_chat_id,
                    score=score,
                    created_at=uow.now(),
                )
            )
        uow.commit()
        return rating.id


def _given(uow, sender_id: str, offer: Offer, rating_id: int | None) -> Rating | None:
    """The vote this conversation already gave on ``offer``: by its id for the assistant, by
    the live chat for an operator (whose chat must be this conversation's)."""
    if offer.live_chat_id is not None:
        chat = uow.live_chats.get(offer.live_chat_id)
        if chat is None or chat.sender_id != sender_id:
            raise NotFound(NOTHING_TO_RATE)
        return uow.ratings.first(live_chat_id=offer.live_chat_id)
    rating = uow.ratings.get(rating_id) if rating_id is not None else None
    if rating is None or rating.sender_id != sender_id or rating.live_chat_id is not None:
        return None
    return rating


def add_comment(uow, *, rating_id: int, sender_id: str, text: str) -> None:
    """The customer's comment on their own rating, masked and capped."""
    comment = mask_personal_data(" ".join(text.split()))[:MAX_COMMENT]
    if not comment:
        raise InvalidInput("Il commento è vuoto.")
    with uow:
        rating = uow.ratings.get(rating_id)
        if rating is None or rating.sender_id != sender_id:
            raise NotFound(NOTHING_TO_RATE)
        rating.comment = comment
        uow.commit()


def forget_comments_of(uow, senders: Collection[str]) -> int:
    """The comments given in these conversations go with their transcripts (an account's
    erasure): they are the customer's own words. The anonymous votes stay."""
    with uow:
        return _forget(uow, uow.ratings.find_in("sender_id", list(senders)) if senders else [])


def forget_comments_before(uow, cutoff: datetime) -> int:
    """The comments older than the transcripts' retention go with them."""
    with uow:
        return _forget(uow, uow.ratings.between(datetime(2000, 1, 1), cutoff))


def _forget(uow, rated: list[Rating]) -> int:
    commented = [rating for rating in rated if rating.comment is not None]
    for rating in commented:
        rating.comment = None
    uow.commit()
    return len(commented)


@dataclass
class Tally:
    positive: int = 0
    negative: int = 0

    @property
    def satisfaction(self) -> float:
        """The share of 👍 among the votes (0 when there are none)."""
        votes = self.positive + self.negative
        return self.positive / votes if votes else 0.0

    def count(self, score: int) -> None:
        if score > 0:
            self.positive += 1
        else:
            self.negative += 1


@dataclass
class DayRatings:
    assistant: Tally = field(default_factory=Tally)
    operators: Tally = field(default_factory=Tally)

    def of(self, subject: str) -> Tally:
        return self.operators if subject == RatedSubject.OPERATOR else self.assistant


@dataclass(frozen=True)
class Comment:
    created_at: datetime
    subject: str
    positive: bool
    text: str


@dataclass(frozen=True)
class Summary:
    days: dict[date, DayRatings]  # only the days with votes
    total: DayRatings
    comments: list[Comment]  # the latest first, at most LATEST_COMMENTS


def summary(
    uow, since: datetime, until: datetime, day_of: Callable[[datetime], date] = datetime.date
) -> Summary:
    """The votes given from ``since`` to ``until`` (naive UTC), per day as ``day_of`` tells
    (the console counts Italian days), in total, and the latest comments."""
    with uow:
        ratings = uow.ratings.between(since, until)
    days: dict[date, DayRatings] = defaultdict(DayRatings)
    total = DayRatings()
    for rating in ratings:
        days[day_of(rating.created_at)].of(rating.subject).count(rating.score)
        total.of(rating.subject).count(rating.score)
    comments = [
        Comment(rating.created_at, rating.subject, rating.score > 0, rating.comment)
        for rating in reversed(ratings)
        if rating.comment
    ]
    return Summary(dict(days), total, comments[:LATEST_COMMENTS])
