"""Conversations: the searchable list, the transcript, the audited reveal, marking, exports."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from actions.contract import ATTEMPTS_SLOT, INTENT_LABELS, REQUESTED_SLOT
from backend import audit, bootstrap, training
from backend.entities import StaffRole
from backend.errors import BackendError
from backend.masking import mask_personal_data
from console import exports
from console.auth import PREFIX, staff_only
from console.conversation_outcomes import OUTCOMES
from console.conversations import ConversationIndex, Filters, Turn
from console.intents import known_intents
from console.pages import parse_day, refused, render

CHANNELS = {"web": "Web (widget)", "telegram": "Telegram", "altro": "Altro"}
PER_PAGE = 25
EXPORT_LIMIT = 1000  # conversations in one export of a filtered list
MIN_REASON = 10
# Slots the dialogue uses to keep its place, not something the customer said.
INTERNAL_SLOTS = {REQUESTED_SLOT, ATTEMPTS_SLOT, "session_started_metadata"}
staff = staff_only(refused)


def filters_from(params) -> Filters:
    channel, outcome = params.get("canale"), params.get("esito")
    return Filters(
        text=params.get("q", "").strip()[:200],
        since=parse_day(params.get("dal")),
        until=parse_day(params.get("al")),
        channel=channel if channel in CHANNELS else None,
        outcome=outcome if outcome in OUTCOMES else None,
        intent=params.get("intento") or None,
    )


def readable(turns: list[Turn]) -> list[Turn]:
    """The transcript without the flows' bookkeeping: no emptied or internal slots."""
    return [
        turn
        for turn in turns
        if turn.kind != "slot" or (turn.text is not None and turn.name not in INTERNAL_SLOTS)
    ]


def masked(turns: list[Turn]) -> list[Turn]:
    """What staff see by default: personal data masked in every text and button."""
    return [
        dataclasses.replace(
            turn,
            text=mask_personal_data(turn.text or ""),
            buttons=[mask_personal_data(title) for title in turn.buttons],
        )
        for turn in turns
    ]


def page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


class ConversationPages:
    def __init__(self, index: ConversationIndex):
        self.index = index

    async def listing(self, request: Request) -> Response:
        filters = filters_from(request.query_params)
        await run_in_threadpool(self.index.catch_up)
        page = await run_in_threadpool(
            self.index.search, filters, page_number(request.query_params.get("pagina")), PER_PAGE
        )
        query = {k: v for k, v in request.query_params.items() if k != "pagina" and v}
        return render(
            request,
            "conversazioni.html",
            page=page,
            filters=filters,
            channels=CHANNELS,
            outcomes=OUTCOMES,
            intents=await run_in_threadpool(self.index.intents),
            query=urlencode(query),
        )

    async def transcript(
        self, request: Request, reveal: bool = False, status: int = 200, error: str = ""
    ) -> Response:
        conversation_id = request.path_params["id"]
        row = await run_in_threadpool(self.index.get, conversation_id)
        if row is None:
            return refused(request, 404, "Conversazione non trovata.")
        turns = readable(await run_in_threadpool(self.index.transcript, conversation_id))
        marks = await run_in_threadpool(
            training.intents_marked,
            bootstrap.unit_of_work(),
            [turn.event_id for turn in turns if turn.kind == "user"],
        )
        return render(
            request,
            "conversazione.html",
            status,
            row=row,
            turns=turns if reveal else masked(turns),
            marks=marks,
            revealed=reveal,
            intents=[(name, INTENT_LABELS.get(name, "")) for name in known_intents()],
            error=error,
        )

    async def reveal(self, request: Request) -> Response:
        """A supervisor sees the personal data, once, for a stated reason that is audited."""
        reason = str(request.state.form.get("motivo", "")).strip()
        if len(reason) < MIN_REASON:
            return await self.transcript(
                request, status=400, error="Scrivi il motivo per cui servono i dati in chiaro."
            )
        await run_in_threadpool(
            record_reveal, request.state.staff.staff_id, request.path_params["id"], reason
        )
        return await self.transcript(request, reveal=True)

    async def mark(self, request: Request) -> Response:
        """A user message the bot misunderstood, with the intent it should have recognised."""
        conversation_id = request.path_params["id"]
        form = request.state.form
        event = str(form.get("evento", ""))
        turns = await run_in_threadpool(self.index.transcript, conversation_id)
        turn = next((t for t in turns if str(t.event_id) == event and t.kind == "user"), None)
        if turn is None:
            return refused(request, 404, "Messaggio non trovato in questa conversazione.")
        try:
            await run_in_threadpool(
                training.mark_misunderstood,
                bootstrap.unit_of_work(),
                turn.event_id,
                turn.text,
                str(form.get("intento", "")),
                request.state.staff.staff_id,
                known_intents(),
            )
        except BackendError as error:
            return await self.transcript(request, status=400, error=error.message_it)
        return RedirectResponse(
            f"{PREFIX}/conversazioni/{conversation_id}?fatto=segnato#m{turn.event_id}",
            status_code=303,
        )

    async def export_one(self, request: Request) -> Response:
        conversation_id = request.path_params["id"]
        row = await run_in_threadpool(self.index.get, conversation_id)
        if row is None:
            return refused(request, 404, "Conversazione non trovata.")
        turns = await run_in_threadpool(self.index.transcript, conversation_id)
        return exports.response(
            request.query_params.get("formato"), [(row, masked(turns))], f"conversazione-{row.id}"
        )

    async def export_set(self, request: Request) -> Response:
        filters = filters_from(request.query_params)
        await run_in_threadpool(self.index.catch_up)
        conversations = await run_in_threadpool(self._with_transcripts, filters)
        return exports.response(request.query_params.get("formato"), conversations, "conversazioni")

    def _with_transcripts(self, filters: Filters) -> list:
        found, page = [], 1
        while len(found) < EXPORT_LIMIT:
            result = self.index.search(filters, page, 100)
            found += [(row, masked(self.index.transcript(row.id))) for row in result.items]
            if page >= result.pages:
                break
            page += 1
        return found[:EXPORT_LIMIT]


def record_reveal(staff_id: int, conversation_id: int, reason: str) -> None:
    uow = bootstrap.unit_of_work()
    with uow:
        audit.record(
            uow,
            "transcript_revealed",
            None,
            staff_id=staff_id,
            conversation_id=conversation_id,
            reason=mask_personal_data(reason[:300]),
        )
        uow.commit()


def routes(index: ConversationIndex) -> list[Route]:
    pages = ConversationPages(index)
    supervisor = staff_only(refused, StaffRole.SUPERVISOR)
    return [
        Route("/conversazioni", staff(pages.listing)),
        Route("/conversazioni/esporta", staff(pages.export_set)),
        Route("/conversazioni/{id:int}", staff(pages.transcript)),
        Route("/conversazioni/{id:int}/esporta", staff(pages.export_one)),
        Route("/conversazioni/{id:int}/mostra", supervisor(pages.reveal), methods=["POST"]),
        Route("/conversazioni/{id:int}/segna", staff(pages.mark), methods=["POST"]),
    ]
