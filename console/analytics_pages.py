"""Analytics: how many conversations, how many the bot closed alone, where flows are left,
the SMS budget (sent, refused, what is left of this hour's) and the customers' ratings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend import bootstrap, ratings, sms_budget
from console import analytics, charts
from console.auth import staff_only
from console.conversations import ConversationIndex, day_start, local_day
from console.pages import parse_day, refused, render, today

DEFAULT_DAYS = 30
MAX_DAYS = 366
staff = staff_only(refused)


def period(params) -> tuple[date, date]:
    """The days asked for (default: the last 30), at most a year, oldest first."""
    until = parse_day(params.get("al")) or today()
    since = parse_day(params.get("dal")) or until - timedelta(days=DEFAULT_DAYS - 1)
    since, until = min(since, until), max(since, until)
    return max(since, until - timedelta(days=MAX_DAYS - 1)), until


def utc(day: date) -> datetime:
    """When the Italian ``day`` starts, as the backend keeps time (naive UTC)."""
    return datetime.fromtimestamp(day_start(day), UTC).replace(tzinfo=None)


def sms_usage(since: date, until: date) -> sms_budget.Summary:
    """The SMS budget's figures, the period's days being Italian days (the backend: UTC)."""
    return sms_budget.summary(bootstrap.unit_of_work(), utc(since), utc(until + timedelta(days=1)))


def italian_day(at: datetime) -> date:
    """The Italian day of a backend time (naive UTC)."""
    return local_day(at.replace(tzinfo=UTC).timestamp())


def rating_summary(since: date, until: date) -> ratings.Summary:
    """The ratings given in the period's Italian days, counted per Italian day."""
    end = utc(until + timedelta(days=1))
    return ratings.summary(bootstrap.unit_of_work(), utc(since), end, day_of=italian_day)


class AnalyticsPages:
    def __init__(self, index: ConversationIndex):
        self.index = index

    async def _report(self, request: Request) -> analytics.Report:
        since, until = period(request.query_params)
        await run_in_threadpool(self.index.catch_up)
        return await run_in_threadpool(analytics.report, self.index, since, until)

    async def page(self, request: Request) -> Response:
        report = await self._report(request)
        days = [(f"{d.day:%d/%m}", d.conversations) for d in report.days]
        fallbacks = [
            (f"{d.day:%d/%m}", 100 * d.fallbacks / d.user_messages if d.user_messages else 0)
            for d in report.days
        ]
        sms = await run_in_threadpool(sms_usage, report.since, report.until)
        rated = await run_in_threadpool(rating_summary, report.since, report.until)
        return render(
            request,
            "analisi.html",
            report=report,
            sms=sms,
            ratings=rated,
            rated_days=sorted(rated.days.items(), reverse=True),
            conversations_chart=charts.bar_chart(days, "Conversazioni al giorno"),
            fallback_chart=charts.bar_chart(fallbacks, "Messaggi non compresi al giorno", "%"),
        )

    async def export(self, request: Request) -> Response:
        report = await self._report(request)
        rated = await run_in_threadpool(rating_summary, report.since, report.until)
        return Response(
            analytics.report_csv(report, rated),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="analisi.csv"'},
        )


def routes(index: ConversationIndex) -> list[Route]:
    pages = AnalyticsPages(index)
    return [
        Route("/analisi", staff(pages.page)),
        Route("/analisi/esporta", staff(pages.export)),
    ]
