"""The «In diretta» timeouts, a scheduler job (``live_timeouts``, a ``sportello.jobs`` entry
point): a request nobody took in ``LIVE_QUEUE_TIMEOUT_SECONDS`` becomes a callback ticket, a
chat whose customer stayed silent for ``LIVE_IDLE_MINUTES`` goes back to the assistant.

The backend ends the chats (each once, by a conditional UPDATE, so a second scheduler finds
nothing); this module, which knows Rasa, tells the customer and resumes the bot. A Rasa that
cannot be reached is logged: the customer still reads the message from the backend, and
Rasa's own session expiry (30 idle minutes) un-pauses a conversation at the latest.
"""

import logging
from datetime import timedelta

from backend import accounts, bootstrap, callbacks, live_chats
from backend.entities import LiveChat
from backend.jobs import Job
from backend.settings import Settings
from backend.uow import Clock
from console.rasa_conversation import RasaConversation, RasaUnavailable, left_queue, resumed

log = logging.getLogger("sportello.jobs")

TOPIC = "Richiesta di parlare con un operatore"
SORRY = "Mi dispiace, nessun operatore si è liberato in tempo per risponderti in chat."
CALLBACK_OPENED = (
    SORRY + " Ho aperto per te la richiesta di ricontatto n. {ticket}: Help OnLine ti chiamerà "
    "al cellulare che termina con {ending}, {hours}. Per urgenze puoi chiamare il numero verde "
    "803.500."
)
LEAVE_A_NUMBER = (
    SORRY + " Se vuoi, Help OnLine può richiamarti: scrivi «richiamatemi» e lasciami un numero. "
    "Oppure chiama il numero verde 803.500."
)


def _callback_text(settings: Settings, clock: Clock, chat: LiveChat) -> str:
    """A ticket for a logged-in customer with a mobile on file; the invitation otherwise."""
    if chat.account_id is None:
        return LEAVE_A_NUMBER
    account = accounts.get_account(bootstrap.unit_of_work(settings, clock), chat.account_id)
    if not account.mobile:
        return LEAVE_A_NUMBER
    ticket = callbacks.request_callback(
        bootstrap.unit_of_work(settings, clock),
        name=account.display_name,
        phone=account.mobile,
        topic=TOPIC,
        preferred_time="",
        account_id=account.id,
        sender_id=chat.sender_id,
    )
    live_chats.attach_callback(bootstrap.unit_of_work(settings, clock), chat.id, ticket)
    hours = f"gli operatori chiamano {settings.operator_hours().describe_it()}"
    return CALLBACK_OPENED.format(ticket=ticket, ending=account.mobile[-2:], hours=hours)


def _tell_rasa(rasa: RasaConversation, sender_id: str, events: list[dict]) -> None:
    try:
        rasa.append(sender_id, events)
    except RasaUnavailable as error:
        log.error("live_timeouts: Rasa unreachable (%s) for a conversation", error)


def end_timeouts(settings: Settings, clock: Clock) -> int:
    """One run: the requests waited too long, then the silent chats; how many ended."""
    rasa = RasaConversation.from_settings(settings)
    queue_timeout = timedelta(seconds=settings.live_queue_timeout_seconds)
    late = live_chats.end_waited_too_long(bootstrap.unit_of_work(settings, clock), queue_timeout)
    for chat in late:
        text = _callback_text(settings, clock, chat)
        live_chats.tell(bootstrap.unit_of_work(settings, clock), chat.id, text)
        _tell_rasa(rasa, chat.sender_id, left_queue(text))
    idle = timedelta(minutes=settings.live_idle_minutes)
    quiet = live_chats.end_idle(bootstrap.unit_of_work(settings, clock), idle)
    for ended in quiet:
        _tell_rasa(rasa, ended.chat.sender_id, resumed(ended.message.text))
    return len(late) + len(quiet)


LIVE_TIMEOUTS = Job(
    "live_timeouts",
    "«In diretta»: richieste non prese in tempo (ricontatto) e chat col cliente in silenzio "
    "(di nuovo all'assistente)",
    "job_live_timeouts_minutes",
    end_timeouts,
)
