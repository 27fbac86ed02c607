"""What the conversations of a period add up to: per day, per flow, what was not understood,
and what customers thought of it (👍 / 👎, backend/ratings.py).

A conversation counts on the (Italian) day it started, and only when the user wrote
something. "fallbacks" are user messages the bot did not understand (see conversations).
A rating counts on the (Italian) day it was given.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from backend.ratings import DayRatings, Tally
from backend.ratings import Summary as Ratings
from console.conversation_tables import CONVERSATIONS, FLOWS, MESSAGES
from console.conversations import ConversationIndex, day_start, local_day

UNRECOGNISED_TOP = 20


@dataclass(frozen=True)
class Day:
    day: date
    conversations: int
    handed_over: int
    fallbacks: int
    user_messages: int


@dataclass(frozen=True)
class Funnel:
    """The runs of one flow: how many started, finished, were abandoned and at which step."""

    form: str
    started: int
    completed: int
    abandoned: int
    abandoned_at: dict[str, int]


@dataclass(frozen=True)
class Report:
    since: date
    until: date
    days: list[Day]
    containment: float  # share of conversations not handed over (0 when there are none)
    fallback_rate: float  # fallback user messages / user messages (0 when there are none)
    funnels: list[Funnel]
    unrecognised: list[tuple[str, int]]  # normalised texts, most frequent first


def report(index: ConversationIndex, since: date, until: date) -> Report:
    """The report of the conversations started from `since` to `until`, both included."""
    in_period = (
        CONVERSATIONS.c.user_messages > 0,
        CONVERSATIONS.c.started_at >= day_start(since),
        CONVERSATIONS.c.started_at < day_start(until + timedelta(days=1)),
    )
    with index.engine.connect() as db:
        days = _days(db, in_period, since, until)
        funnels = _funnels(db, in_period)
        unrecognised = _unrecognised(db, in_period)
    conversations = sum(day.conversations for day in days)
    user_messages = sum(day.user_messages for day in days)
    return Report(
        since=since,
        until=until,
        days=days,
        containment=_share(conversations - sum(day.handed_over for day in days), conversations),
        fallback_rate=_share(sum(day.fallbacks for day in days), user_messages),
        funnels=funnels,
        unrecognised=unrecognised,
    )


RATING_COLUMNS = [
    "assistente 👍",
    "assistente 👎",
    "soddisfazione assistente",
    "operatori 👍",
    "operatori 👎",
    "soddisfazione operatori",
]


def report_csv(report: Report, ratings: Ratings) -> str:
    """The daily figures as CSV with Italian headers, for a spreadsheet; a satisfaction is the
    share of 👍 (0 to 1), empty on a day without votes."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "giorno",
            "conversazioni",
            "passate a un operatore",
            "non compresi",
            "messaggi utente",
            *RATING_COLUMNS,
        ]
    )
    for day in report.days:
        rated = ratings.days.get(day.day, DayRatings())
        writer.writerow(
            [
                day.day.isoformat(),
                day.conversations,
                day.handed_over,
                day.fallbacks,
                day.user_messages,
                *_rating_cells(rated.assistant),
                *_rating_cells(rated.operators),
            ]
        )
    return out.getvalue()


def _rating_cells(tally: Tally) -> list:
    votes = tally.positive + tally.negative
    return [tally.positive, tally.negative, round(tally.satisfaction, 3) if votes else ""]


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _days(db: sa.Connection, in_period: tuple, since: date, until: date) -> list[Day]:
    """Every day of the period, those without conversations too (charts stay continuous)."""
    totals: dict[date, Counter] = defaultdict(Counter)
    rows = db.execute(
        sa.select(
            CONVERSATIONS.c.started_at,
            CONVERSATIONS.c.outcome,
            CONVERSATIONS.c.fallbacks,
            CONVERSATIONS.c.user_messages,
        ).where(*in_period)
    )
    for row in rows:
        totals[local_day(row.started_at)].update(
            conversations=1,
            handed_over=int(row.outcome == "handed_over"),
            fallbacks=row.fallbacks,
            user_messages=row.user_messages,
        )
    period = (since + timedelta(days=n) for n in range((until - since).days + 1))
    return [Day(day, **{field: totals[day][field] for field in _DAY_FIELDS}) for day in period]


_DAY_FIELDS = ("conversations", "handed_over", "fallbacks", "user_messages")


def _funnels(db: sa.Connection, in_period: tuple) -> list[Funnel]:
    """One funnel per flow, the most started first."""
    runs = db.execute(
        sa.select(FLOWS.c.form, FLOWS.c.outcome, FLOWS.c.last_step)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == FLOWS.c.conversation_id)
        .where(*in_period)
    )
    by_form: dict[str, list] = defaultdict(list)
    for run in runs:
        by_form[run.form].append(run)
    funnels = [
        Funnel(
            form=form,
            started=len(runs),
            completed=sum(run.outcome == "completed" for run in runs),
            abandoned=sum(run.outcome == "abandoned" for run in runs),
            abandoned_at=dict(
                Counter(run.last_step for run in runs if run.outcome == "abandoned").most_common()
            ),
        )
        for form, runs in by_form.items()
    ]
    return sorted(funnels, key=lambda funnel: (-funnel.started, funnel.form))


def _unrecognised(db: sa.Connection, in_period: tuple) -> list[tuple[str, int]]:
    times = sa.func.count().label("times")
    rows = db.execute(
        sa.select(MESSAGES.c.text, times)
        .join(CONVERSATIONS, CONVERSATIONS.c.id == MESSAGES.c.conversation_id)
        .where(*in_period, MESSAGES.c.fallback)
        .group_by(MESSAGES.c.text)
        .order_by(times.desc(), MESSAGES.c.text)
        .limit(UNRECOGNISED_TOP)
    )
    return [(row.text, row.times) for row in rows]
