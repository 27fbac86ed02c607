"""Hand-overs: callback requests and practice transfers, worked as a queue."""

from __future__ import annotations

from datetime import UTC

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from backend import bootstrap, handovers
from backend.errors import BackendError, NotFound
from console.auth import PREFIX, staff_only
from console.conversations import ConversationIndex
from console.pages import refused, render

VIEWS = {"aperte": "Aperte", "mie": "Prese in carico da me", "tutte": "Tutte"}
KIND_NAMES = {"richiamata": "Richiesta di ricontatto", "pratica": "Trasferimento pratiche"}
staff = staff_only(refused)


class HandoverPages:
    def __init__(self, index: ConversationIndex):
        self.index = index

    async def queue(self, request: Request) -> Response:
        view = request.query_params.get("vista")
        view = view if view in VIEWS else "aperte"
        mine = request.state.staff.staff_id if view == "mie" else None
        tickets = await run_in_threadpool(
            handovers.queue, bootstrap.unit_of_work(), view != "tutte", mine
        )
        return render(
            request, "richieste.html", tickets=tickets, view=view, views=VIEWS, kinds=KIND_NAMES
        )

    async def ticket(self, request: Request, status: int = 200, error: str = "") -> Response:
        kind, ticket_id = request.path_params["kind"], request.path_params["id"]
        if kind not in KIND_NAMES:
            return refused(request, 404, "Richiesta non trovata.")
        try:
            ticket = await run_in_threadpool(
                handovers.get_ticket, bootstrap.unit_of_work(), kind, ticket_id
            )
        except NotFound as missing:
            return refused(request, 404, missing.message_it)
        conversation = None
        if ticket.sender_id:
            await run_in_threadpool(self.index.catch_up)
            conversation = await run_in_threadpool(
                self.index.conversation_at,
                ticket.sender_id,
                ticket.created_at.replace(tzinfo=UTC),  # the backend stores naive UTC
            )
        return render(
            request,
            "richiesta.html",
            status,
            ticket=ticket,
            kind_name=KIND_NAMES[kind],
            closings=handovers.OUTCOMES[kind],
            conversation=conversation,
            error=error,
        )

    async def change(self, request: Request) -> Response:
        """Take, annotate or close a ticket; the page shows what went wrong, if anything."""
        kind, ticket_id = request.path_params["kind"], request.path_params["id"]
        action, form = request.path_params["action"], request.state.form
        staff_id, uow = request.state.staff.staff_id, bootstrap.unit_of_work()
        calls = {
            "prendi": (handovers.assign, ()),
            "nota": (handovers.add_note, (str(form.get("testo", "")),)),
            "chiudi": (
                handovers.close,
                (str(form.get("esito", "")), str(form.get("messaggio", "")).strip()),
            ),
        }
        if kind not in KIND_NAMES or action not in calls:
            return refused(request, 404, "Richiesta non trovata.")
        service, extra = calls[action]
        try:
            await run_in_threadpool(service, uow, kind, ticket_id, staff_id, *extra)
        except BackendError as error:
            return await self.ticket(request, 400, error.message_it)
        done = {"prendi": "presa", "nota": "nota", "chiudi": "chiusa"}[action]
        return RedirectResponse(
            f"{PREFIX}/richieste/{kind}/{ticket_id}?fatto={done}", status_code=303
        )


def routes(index: ConversationIndex) -> list[Route]:
    pages = HandoverPages(index)
    ticket = "/richieste/{kind:str}/{id:int}"
    return [
        Route("/richieste", staff(pages.queue)),
        Route(ticket, staff(pages.ticket)),
        Route(ticket + "/{action:str}", staff(pages.change), methods=["POST"]),
    ]
