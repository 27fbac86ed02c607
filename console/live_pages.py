"""«In diretta»: operators take chats from the queue and write to the customer, live.

The page is served whole and then kept current by console/static/diretta.js, which asks
``/console/diretta/eventi?dopo=N`` every second (this also keeps the operator «Disponibile»,
backend/live_chats.py's presence). Every change is decided in the database first: of two
operators taking one chat one wins there; Rasa is told afterwards (console/rasa_conversation.py)
and a take Rasa refused is undone, so no customer waits on a silent bot with no operator.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from actions.contract import RATING_PROMPT, rating_buttons
from backend import accounts, bootstrap, live_chats
from backend.entities import LiveChat, LiveMessage
from backend.errors import BackendError, NotFound
from backend.masking import mask_email, mask_phone
from backend.settings import get_settings
from console.auth import PREFIX, staff_only
from console.conversation_pages import masked, readable
from console.conversations import ConversationIndex
from console.pages import refused, render
from console.rasa_conversation import (
    RasaConversation,
    RasaUnavailable,
    bot_event,
    rating_offered,
    taken,
)

PAGE = f"{PREFIX}/diretta"
CHANNELS = {"web": "Sito", "telegram": "Telegram"}
AUTHORS = {"customer": "Cliente", "operator": "Operatore", "system": "Servizio"}
RASA_DOWN = (
    "L'assistente virtuale non è raggiungibile in questo momento: la conversazione è rimasta "
    "in coda. Riprova tra poco."
)
RASA_DOWN_ON_RETURN = (
    "L'assistente virtuale non è raggiungibile in questo momento: la conversazione resta a te. "
    "Riprova tra poco."
)
NOT_IN_TRANSCRIPT = (
    "Il messaggio è stato inviato al cliente, ma non è stato possibile aggiungerlo alla "
    "trascrizione della conversazione."
)
Notify = Callable[[str], Awaitable[None]]
staff = staff_only(refused)


async def _nothing(_sender_id: str) -> None:
    """The default ``notify``: the widget finds the news at its next request."""


@dataclass(frozen=True)
class ActiveChat:
    """One of the operator's chats as the page shows it."""

    chat: LiveChat
    customer: str | None  # the logged-in account, masked; None for an anonymous customer
    turns: list  # the transcript with the assistant before the take, masked
    messages: list[LiveMessage]


def waited(chat: LiveChat, now: datetime) -> str:
    minutes = int((now - chat.requested_at).total_seconds() // 60)
    return "meno di un minuto" if minutes < 1 else f"{minutes} min"


def message_json(message: LiveMessage) -> dict:
    return {
        "id": message.id,
        "chat": message.chat_id,
        "author": message.author,
        "who": message.operator_name or AUTHORS[message.author],
        "text": message.text,
        "at": message.created_at.replace(tzinfo=UTC).isoformat(),
    }


class LivePages:
    def __init__(self, index: ConversationIndex, rasa: RasaConversation | None, notify: Notify):
        self.index = index
        self._rasa = rasa
        self.notify = notify

    @property
    def rasa(self) -> RasaConversation:
        if self._rasa is None:  # read the settings at the first use, not when building the app
            self._rasa = RasaConversation.from_settings(get_settings())
        return self._rasa

    async def page(self, request: Request, status: int = 200, error: str = "") -> Response:
        staff_id, uow = request.state.staff.staff_id, bootstrap.unit_of_work()
        board = await run_in_threadpool(live_chats.board, uow, staff_id)
        await run_in_threadpool(self.index.catch_up)
        mine = [await run_in_threadpool(self._active, chat, staff_id) for chat in board.mine]
        last = max((m.id for c in mine for m in c.messages), default=0)
        return render(
            request,
            "diretta.html",
            status,
            board=board,
            mine=mine,
            last=last,
            now=uow.now(),
            waited=waited,
            channels=CHANNELS,
            authors=AUTHORS,
            error=error,
        )

    def _active(self, chat: LiveChat, staff_id: int) -> ActiveChat:
        uow = bootstrap.unit_of_work()
        customer = None
        if chat.account_id is not None:
            account = accounts.get_account(uow, chat.account_id)
            contact = f"{mask_email(account.email)} · {mask_phone(account.mobile)}"
            customer = f"{account.display_name} · {contact}"
        conversation = self.index.conversation_at(
            chat.sender_id, chat.requested_at.replace(tzinfo=UTC)
        )
        turns = [] if conversation is None else self.index.transcript(conversation)
        turns = [t for t in masked(readable(turns)) if t.kind in ("user", "bot")]
        messages = live_chats.chat_messages(uow, chat.id, staff_id)
        return ActiveChat(chat, customer, turns, messages)

    async def events(self, request: Request) -> Response:
        """What changed since message ``dopo``: the queue, the operator's chats, new messages."""
        after = live_chats.message_number(request.query_params.get("dopo")) or 0
        staff_id = request.state.staff.staff_id
        state = await run_in_threadpool(self._events, staff_id, after)
        return JSONResponse(state)

    def _events(self, staff_id: int, after: int) -> dict:
        uow = bootstrap.unit_of_work()
        available = live_chats.keep_present(uow, staff_id)
        board = live_chats.board(uow, staff_id)
        messages = live_chats.messages_for_operator(uow, staff_id, after)
        now = uow.now()
        return {
            "disponibile": available,
            "coda": [
                {
                    "id": chat.id,
                    "posizione": position,
                    "attesa": waited(chat, now),
                    "canale": CHANNELS.get(chat.channel, chat.channel),
                }
                for position, chat in enumerate(board.waiting, start=1)
            ],
            "mie": [chat.id for chat in board.mine],
            "messaggi": [message_json(m) for m in messages],
        }

    async def availability(self, request: Request) -> Response:
        available = request.state.form.get("disponibile") == "1"
        staff_id = request.state.staff.staff_id
        await run_in_threadpool(
            live_chats.set_available, bootstrap.unit_of_work(), staff_id, available
        )
        return RedirectResponse(PAGE, status_code=303)

    async def take(self, request: Request) -> Response:
        chat_id, staff_id = request.path_params["id"], request.state.staff.staff_id
        try:
            chat, greeting = await run_in_threadpool(
                live_chats.take, bootstrap.unit_of_work(), chat_id, staff_id
            )
        except NotFound as missing:
            return refused(request, 404, missing.message_it)
        except BackendError as error:
            return await self.page(request, 409, error.message_it)
        try:
            await run_in_threadpool(
                self.rasa.append, chat.sender_id, taken(greeting.text, request.state.staff.username)
            )
        except RasaUnavailable:
            await run_in_threadpool(
                live_chats.untake, bootstrap.unit_of_work(), chat_id, staff_id, greeting.id
            )
            return await self.page(request, 503, RASA_DOWN)
        await self.notify(chat.sender_id)
        return RedirectResponse(f"{PAGE}#chat-{chat_id}", status_code=303)

    async def say(self, request: Request) -> Response:
        chat_id, staff_id = request.path_params["id"], request.state.staff.staff_id
        text = str(request.state.form.get("testo", ""))
        uow = bootstrap.unit_of_work()
        try:
            message = await run_in_threadpool(
                live_chats.operator_says, uow, chat_id, staff_id, text
            )
        except NotFound as missing:
            return refused(request, 404, missing.message_it)
        except BackendError as error:
            return await self.page(request, 400, error.message_it)
        await self.notify(message.sender_id)
        try:
            await run_in_threadpool(
                self.rasa.append,
                message.sender_id,
                [bot_event(message.text, request.state.staff.username)],
            )
        except RasaUnavailable:
            return await self.page(request, 502, NOT_IN_TRANSCRIPT)
        return RedirectResponse(f"{PAGE}#chat-{chat_id}", status_code=303)

    async def end(self, request: Request) -> Response:
        """«Restituisci all'assistente» or «Chiudi conversazione».

        Rasa resumes first: if it cannot, nothing changes and the chat stays the operator's;
        if the database then refuses (the idle timeout ended the chat meanwhile, which
        resumes too), the bot simply answers again.
        """
        chat_id, staff_id = request.path_params["id"], request.state.staff.staff_id
        service = {"restituisci": live_chats.give_back, "chiudi": live_chats.close}.get(
            request.path_params["action"]
        )
        if service is None:
            return refused(request, 404, "Pagina non trovata.")
        uow = bootstrap.unit_of_work()
        try:
            chat = await run_in_threadpool(live_chats.chat_for_operator, uow, chat_id, staff_id)
        except NotFound as missing:
            return refused(request, 404, missing.message_it)
        if chat.operator_id != staff_id:  # still in the queue: nothing to give back
            return refused(request, 404, "Conversazione non trovata.")
        try:
            await run_in_threadpool(self.rasa.append, chat.sender_id, [{"event": "resume"}])
        except RasaUnavailable:
            return await self.page(request, 503, RASA_DOWN_ON_RETURN)
        try:
            _chat, said = await run_in_threadpool(service, uow, chat_id, staff_id)
        except NotFound as missing:
            return refused(request, 404, missing.message_it)
        except BackendError as error:
            return await self.page(request, 409, error.message_it)
        await run_in_threadpool(
            live_chats.tell, bootstrap.unit_of_work(), chat_id, RATING_PROMPT, rating_buttons()
        )
        # The transcript's record of the service's last word and of the offer to rate, before
        # the customer can press 👍; the customer got the words from the backend, and the bot
        # answers again either way.
        with contextlib.suppress(RasaUnavailable):
            events = [bot_event(said.text), *rating_offered(chat_id)]
            await run_in_threadpool(self.rasa.append, chat.sender_id, events)
        await self.notify(chat.sender_id)
        return RedirectResponse(PAGE, status_code=303)


def routes(
    index: ConversationIndex, rasa: RasaConversation | None = None, notify: Notify | None = None
) -> list[Route]:
    pages = LivePages(index, rasa, notify or _nothing)
    chat = "/diretta/{id:int}"
    return [
        Route("/diretta", staff(pages.page)),
        Route("/diretta/eventi", staff(pages.events)),
        Route("/diretta/disponibile", staff(pages.availability), methods=["POST"]),
        Route(chat + "/prendi", staff(pages.take), methods=["POST"]),
        Route(chat + "/messaggio", staff(pages.say), methods=["POST"]),
        Route(chat + "/{action:str}", staff(pages.end), methods=["POST"]),
    ]
