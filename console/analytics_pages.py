"""Analytics: how many conversations, how many the bot closed alone, where flows are left."""

from __future__ import annotations

from datetime import date, timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from console import analytics, charts
from console.auth import staff_only
from console.conversations import ConversationIndex
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
        return render(
            request,
            "analisi.html",
            report=report,
            conversations_chart=charts.bar_chart(days, "Conversazioni al giorno"),
            fallback_chart=charts.bar_chart(fallbacks, "Messaggi non compresi al giorno", "%"),
        )

    async def export(self, request: Request) -> Response:
        report = await self._report(request)
        return Response(
            analytics.report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="analisi.csv"'},
        )


def routes(index: ConversationIndex) -> list[Route]:
    pages = AnalyticsPages(index)
    return [
        Route("/analisi", staff(pages.page)),
        Route("/analisi/esporta", staff(pages.export)),
    ]
