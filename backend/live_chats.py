"""Live hand-over: a customer talks now with an operator of Help OnLine, in the same chat.

A customer who asks for a person while an operator is «Disponibile» and within the operators'
hours (``ORARI_OPERATORI``) may wait in the queue of the console's «In diretta» page. An
operator takes the chat («Prendi in carico»), writes to the customer and gives the chat back
to the assistant («Restituisci all'assistente») or closes it. Nobody taking it within
``LIVE_QUEUE_TIMEOUT_MINUTES`` opens a callback ticket instead; a customer silent for
``LIVE_IDLE_MINUTES`` ends it.

What must reach someone is a numbered ``LiveMessage``: the operator's page asks for the
customers' messages after the last it has, the widget and the Telegram bridge for the
operator's and the service's. Pausing the bot and writing the transcript belong to the
callers, which know Rasa; this module knows neither Rasa nor a channel.
"""

import math
from dataclasses import dataclass
from datetime import timedelta

from backend import audit
from backend.entities import (
    Author,
    LiveChat,
    LiveChatEnd,
    LiveChatState,
    LiveMessage,
    OperatorPresence,
    StaffUser,
)
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.masking import mask_personal_data
from backend.operator_hours import OperatorHours

# The «In diretta» page asks every second or two: an operator whose page stopped asking
# this long ago (closed tab, lost network) is no longer offered to customers.
PRESENCE_TTL = timedelta(seconds=60)
# A presence written this recently is not written again at every poll of the page.
PRESENCE_REFRESH = timedelta(seconds=15)
# The wait is estimated from this many chats handled last (one query, however many ended).
HANDLED_FOR_ESTIMATE = 20
# The estimate before any chat has been handled: a guess, said as «circa».
DEFAULT_MINUTES_PER_CHAT = 5
MAX_TEXT = 2000
MAX_NUMBER_DIGITS = 18  # a message number fits a BIGINT
OPEN_STATES = (LiveChatState.WAITING, LiveChatState.ACTIVE)

TAKEN = "Ciao, sono {name} di Help OnLine: da ora ti rispondo io. Come posso aiutarti?"
RETURNED = (
    "{name} ha restituito la conversazione all'assistente virtuale: da ora ti risponde di nuovo "
    "Sportello. Scrivimi pure se hai altre domande."
)
CLOSED = "{name} ha chiuso la conversazione. Grazie per aver contattato Help OnLine!"
IDLE = (
    "La conversazione con l'operatore è stata chiusa perché non abbiamo ricevuto risposta. "
    "Da ora ti risponde di nuovo l'assistente virtuale."
)


@dataclass(frozen=True)
class Place:
    """Where a waiting customer is: 1 is the next to be taken."""

    chat_id: int
    position: int
    minutes: int  # the estimated wait, whole minutes, at least 1


@dataclass(frozen=True)
class Ended:
    """A chat the timeouts ended, for the caller to resume the bot and tell the customer."""

    chat: LiveChat
    message: LiveMessage | None


def _operator_name(staff: StaffUser) -> str:
    """What the customer reads: the operator's username, capitalised («mario.rossi» → «Mario»)."""
    first = staff.username.replace("_", ".").split(".")[0]
    return first.capitalize() or "Un operatore"


# --- availability ------------------------------------------------------------------------


def set_available(uow, staff_id: int, available: bool) -> None:
    """The «Disponibile» control of «In diretta»."""
    with uow:
        _active_staff(uow, staff_id)
        presence = uow.operator_presence.get(staff_id, for_update=True)
        if presence is None:
            presence = uow.operator_presence.add(
                OperatorPresence(staff_id=staff_id, available=available, seen_at=uow.now())
            )
        presence.available, presence.seen_at = available, uow.now()
        audit.record(uow, "live_availability", staff_id=staff_id, available=available)
        uow.commit()


def keep_present(uow, staff_id: int) -> bool:
    """The «In diretta» page is still open; returns whether the operator is available."""
    with uow:
        presence = uow.operator_presence.get(staff_id)
        if presence is None:
            return False
        if uow.now() - presence.seen_at >= PRESENCE_REFRESH:
            presence.seen_at = uow.now()
            uow.commit()
        return presence.available


def _available_operators(uow) -> int:
    since = uow.now() - PRESENCE_TTL
    return sum(1 for p in uow.operator_presence.find(available=True) if p.seen_at > since)


def can_talk_now(uow, hours: OperatorHours) -> bool:
    """Within the operators' hours, with at least one of them «Disponibile»."""
    with uow:
        return hours.is_open(uow.now()) and _available_operators(uow) > 0


# --- the customer's side ------------------------------------------------------------------


def request(uow, sender_id: str, channel: str, hours: OperatorHours, account_id=None) -> Place:
    """Join the queue (again asking changes nothing: the same place).

    NotAllowed when nobody can answer now: the caller offers the callback instead.
    """
    with uow:
        chat = _open_chat(uow, sender_id)
        if chat is None:
            if not (hours.is_open(uow.now()) and _available_operators(uow)):
                raise NotAllowed("Nessun operatore è disponibile in questo momento.")
            chat = uow.live_chats.add(
                LiveChat(
                    sender_id=sender_id,
                    channel=channel,
                    account_id=account_id,
                    state=LiveChatState.WAITING,
                    requested_at=uow.now(),
                    last_customer_at=uow.now(),
                )
            )
            audit.record(uow, "live_requested", account_id, chat_id=chat.id, channel=channel)
            uow.commit()
        return _place(uow, chat)


def place(uow, sender_id: str) -> Place | None:
    """The customer's place in the queue, or None when they are not waiting."""
    with uow:
        chat = _open_chat(uow, sender_id)
        if chat is None or chat.state != LiveChatState.WAITING:
            return None
        return _place(uow, chat)


def current(uow, sender_id: str) -> LiveChat | None:
    """The conversation's live chat, waiting or active."""
    with uow:
        return _open_chat(uow, sender_id)


def leave(uow, sender_id: str) -> bool:
    """The customer leaves the queue («annulla»); False when they were not in it."""
    with uow:
        chat = _open_chat(uow, sender_id)
        if chat is None or not _end(uow, chat, LiveChatEnd.LEFT, LiveChatState.WAITING):
            return False
        audit.record(uow, "live_left", chat.account_id, chat_id=chat.id)
        uow.commit()
        return True


def customer_says(uow, sender_id: str, text: str) -> LiveMessage | None:
    """A customer's message while an operator has the chat; None when none has it (the bot
    answers). Kept masked: the operator sees it as staff see every transcript."""
    with uow:
        chat = _open_chat(uow, sender_id)
        if chat is None or chat.state != LiveChatState.ACTIVE:
            return None
        chat.last_customer_at = uow.now()
        message = _message(uow, chat, Author.CUSTOMER, mask_personal_data(text[:MAX_TEXT]))
        uow.commit()
        return message


def messages_for_customer(uow, sender_id: str, after: int) -> list[LiveMessage]:
    """The operator's and the service's messages to this conversation numbered after
    ``after``: what the widget has not shown yet."""
    with uow:
        return [
            m
            for m in uow.live_messages.after(after, sender_id=sender_id)
            if m.author != Author.CUSTOMER
        ]


def message_number(value: str | None) -> int | None:
    """A feed's «dopo» (the last message number its reader has): absent is 0; anything but a
    non-negative integer that the database can hold is None."""
    if value is None:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= MAX_NUMBER_DIGITS):
        return None
    return int(value)


# --- the operator's side -------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """What «In diretta» shows: the queue, oldest first, and the operator's own chats."""

    waiting: list[LiveChat]
    mine: list[LiveChat]
    available: bool


def board(uow, staff_id: int) -> Board:
    with uow:
        presence = uow.operator_presence.get(staff_id)
        return Board(
            waiting=uow.live_chats.find(state=LiveChatState.WAITING),
            mine=uow.live_chats.find(state=LiveChatState.ACTIVE, operator_id=staff_id),
            available=bool(presence and presence.available),
        )


def chat_for_operator(uow, chat_id: int, staff_id: int) -> LiveChat:
    """A chat an operator may read: waiting for anyone, or theirs. Any other conversation,
    one nobody handed over or another operator's, is NotFound (nothing to learn from it)."""
    with uow:
        chat = uow.live_chats.get(chat_id)
        if chat is None or not _readable(chat, staff_id):
            raise NotFound("Conversazione non trovata.")
        return chat


def messages_for_operator(uow, staff_id: int, after: int) -> list[LiveMessage]:
    """The messages of the operator's active chats numbered after ``after``."""
    with uow:
        mine = uow.live_chats.find(state=LiveChatState.ACTIVE, operator_id=staff_id)
        messages = [m for c in mine for m in uow.live_messages.after(after, chat_id=c.id)]
        return sorted(messages, key=lambda m: m.id)


def chat_messages(uow, chat_id: int, staff_id: int) -> list[LiveMessage]:
    """Every message of a chat the operator may read, in order."""
    chat = chat_for_operator(uow, chat_id, staff_id)
    with uow:
        return uow.live_messages.after(0, chat_id=chat.id)


def take(uow, chat_id: int, staff_id: int) -> tuple[LiveChat, LiveMessage]:
    """«Prendi in carico»: of two operators at once, one gets it, the other a Conflict."""
    with uow:
        staff = _active_staff(uow, staff_id)
        chat = uow.live_chats.get(chat_id)
        if chat is None:
            raise NotFound("Conversazione non trovata.")
        taken = uow.live_chats.shift(
            chat,
            LiveChatState.WAITING,
            state=LiveChatState.ACTIVE,
            operator_id=staff_id,
            taken_at=uow.now(),
            last_customer_at=uow.now(),
        )
        if not taken:
            raise Conflict("Questa conversazione è già stata presa in carico o non è più in coda.")
        message = _message(uow, chat, Author.SYSTEM, TAKEN.format(name=_operator_name(staff)))
        audit.record(uow, "live_taken", chat.account_id, chat_id=chat.id, staff_id=staff_id)
        uow.commit()
        return chat, message


def untake(uow, chat_id: int, staff_id: int, greeting_id: int) -> None:
    """Undo a take whose pause Rasa refused (unreachable): the chat goes back to the queue
    and the greeting is withdrawn, so the customer is never left with a silent bot and no
    operator. The widget may have shown the greeting in the moment between: a rare glitch
    the next «Prendi in carico» greets over."""
    with uow:
        chat = _held(uow, chat_id, staff_id)
        uow.live_chats.shift(
            chat, LiveChatState.ACTIVE, state=LiveChatState.WAITING, operator_id=None, taken_at=None
        )
        greeting = uow.live_messages.get(greeting_id)
        if greeting is not None and greeting.chat_id == chat.id:
            uow.live_messages.delete(greeting)
        audit.record(uow, "live_untaken", chat.account_id, chat_id=chat.id, staff_id=staff_id)
        uow.commit()


def operator_says(uow, chat_id: int, staff_id: int, text: str) -> LiveMessage:
    """«Invia»: the operator's message, for the customer and the transcript."""
    text = text.strip()
    if not 0 < len(text) <= MAX_TEXT:
        raise InvalidInput("Il messaggio deve avere da 1 a 2000 caratteri.")
    with uow:
        staff = _active_staff(uow, staff_id)
        chat = _held(uow, chat_id, staff_id)
        message = _message(uow, chat, Author.OPERATOR, text, _operator_name(staff))
        audit.record(
            uow, "live_message", chat.account_id, chat_id=chat.id, staff_id=staff_id, id=message.id
        )
        uow.commit()
        return message


def give_back(uow, chat_id: int, staff_id: int) -> tuple[LiveChat, LiveMessage]:
    """«Restituisci all'assistente»: the bot answers again from the next message."""
    return _operator_ends(uow, chat_id, staff_id, LiveChatEnd.RETURNED, RETURNED)


def close(uow, chat_id: int, staff_id: int) -> tuple[LiveChat, LiveMessage]:
    """The operator closes the conversation; the bot answers any later message."""
    return _operator_ends(uow, chat_id, staff_id, LiveChatEnd.CLOSED, CLOSED)


def _operator_ends(uow, chat_id, staff_id, reason: LiveChatEnd, says: str):
    with uow:
        staff = _active_staff(uow, staff_id)
        chat = _held(uow, chat_id, staff_id)
        if not _end(uow, chat, reason, LiveChatState.ACTIVE):
            raise Conflict("La conversazione è già terminata.")
        message = _message(uow, chat, Author.SYSTEM, says.format(name=_operator_name(staff)))
        audit.record(uow, f"live_{reason}", chat.account_id, chat_id=chat.id, staff_id=staff_id)
        uow.commit()
        return chat, message


# --- the timeouts (a scheduled job) ------------------------------------------------------------


def end_waited_too_long(uow, timeout: timedelta) -> list[LiveChat]:
    """Chats nobody took within ``timeout``: ended, for the caller to open the callback
    ticket (the conversation knows the customer) and tell them."""
    with uow:
        limit = uow.now() - timeout
        late = [
            c for c in uow.live_chats.find(state=LiveChatState.WAITING) if c.requested_at <= limit
        ]
        ended = [c for c in late if _end(uow, c, LiveChatEnd.QUEUE_TIMEOUT, LiveChatState.WAITING)]
        for chat in ended:
            audit.record(uow, "live_queue_timeout", chat.account_id, chat_id=chat.id)
        uow.commit()
        return ended


def attach_callback(uow, chat_id: int, callback_id: int) -> None:
    """The ticket opened for a chat the queue timed out."""
    with uow:
        chat = uow.live_chats.get(chat_id)
        if chat is None:
            raise NotFound("Conversazione non trovata.")
        chat.callback_id = callback_id
        uow.commit()


def tell(uow, chat_id: int, text: str, buttons: list[dict] | None = None) -> LiveMessage:
    """The service's word to the customer of a chat, ended ones included: what became of a
    request nobody took (a callback ticket, or how to ask for one), the invitation to rate a
    hand-over with its ``buttons``."""
    with uow:
        chat = uow.live_chats.get(chat_id)
        if chat is None:
            raise NotFound("Conversazione non trovata.")
        message = _message(uow, chat, Author.SYSTEM, text, buttons=buttons)
        uow.commit()
        return message


def end_idle(uow, idle: timedelta) -> list[Ended]:
    """Active chats whose customer wrote nothing for ``idle``: ended, the customer told."""
    with uow:
        limit = uow.now() - idle
        quiet = [
            c
            for c in uow.live_chats.find(state=LiveChatState.ACTIVE)
            if c.last_customer_at <= limit
        ]
        ended = []
        for chat in quiet:
            if _end(uow, chat, LiveChatEnd.IDLE, LiveChatState.ACTIVE):
                ended.append(Ended(chat, _message(uow, chat, Author.SYSTEM, IDLE)))
                audit.record(uow, "live_idle", chat.account_id, chat_id=chat.id)
        uow.commit()
        return ended


def mark_delivered(uow, message_ids: list[int]) -> None:
    """The Telegram bridge sent these."""
    with uow:
        for message in uow.live_messages.find_in("id", message_ids):
            message.delivered_at = message.delivered_at or uow.now()
        uow.commit()


def undelivered(uow, channel: str, limit: int = 100) -> list[LiveMessage]:
    """Operator and service messages of ``channel``'s chats not delivered yet, oldest first."""
    with uow:
        pending = uow.live_messages.undelivered(channel, limit)
        return [m for m in pending if m.author != Author.CUSTOMER]


# --- helpers ---------------------------------------------------------------------------------


def _open_chat(uow, sender_id: str) -> LiveChat | None:
    chats = [c for c in uow.live_chats.find(sender_id=sender_id) if c.state in OPEN_STATES]
    return chats[-1] if chats else None


def _place(uow, chat: LiveChat) -> Place:
    ahead = [c for c in uow.live_chats.find(state=LiveChatState.WAITING) if c.id <= chat.id]
    operators = max(_available_operators(uow), 1)
    minutes = math.ceil(len(ahead) / operators) * _minutes_per_chat(uow)
    return Place(chat.id, len(ahead), max(minutes, 1))


def _minutes_per_chat(uow) -> int:
    """How long the last handled chats took, on average; a default before there are any."""
    handled = uow.live_chats.last_handled(HANDLED_FOR_ESTIMATE)
    if not handled:
        return DEFAULT_MINUTES_PER_CHAT
    seconds = sum((c.ended_at - c.taken_at).total_seconds() for c in handled) / len(handled)
    return max(1, math.ceil(seconds / 60))


def _end(uow, chat: LiveChat, reason: LiveChatEnd, from_state: LiveChatState) -> bool:
    return uow.live_chats.shift(
        chat, from_state, state=LiveChatState.ENDED, end_reason=reason, ended_at=uow.now()
    )


def _message(
    uow,
    chat: LiveChat,
    author: Author,
    text: str,
    name: str | None = None,
    buttons: list[dict] | None = None,
) -> LiveMessage:
    return uow.live_messages.add(
        LiveMessage(
            chat_id=chat.id,
            sender_id=chat.sender_id,
            author=author,
            operator_name=name,
            text=text,
            buttons=buttons,
            created_at=uow.now(),
        )
    )


def _readable(chat: LiveChat, staff_id: int) -> bool:
    return chat.state == LiveChatState.WAITING or chat.operator_id == staff_id


def _held(uow, chat_id: int, staff_id: int) -> LiveChat:
    chat = uow.live_chats.get(chat_id)
    if chat is None or chat.operator_id != staff_id:
        raise NotFound("Conversazione non trovata.")
    if chat.state != LiveChatState.ACTIVE:
        raise Conflict("La conversazione è già terminata.")
    return chat


def _active_staff(uow, staff_id: int) -> StaffUser:
    staff = uow.staff.get(staff_id)
    if staff is None or staff.disabled_at is not None:
        raise NotAllowed("Operatore non abilitato.")
    return staff
