"""The live_timeouts job: a request nobody took becomes a callback ticket or an invitation to
ask for one; a silent customer's chat goes back to the assistant. Rasa is a recorder here."""

import pytest

from backend import bootstrap, db, live_chats, staff
from backend.clock import ManualClock
from backend.entities import LiveChatEnd
from backend.jobs import all_jobs
from backend.settings import get_settings
from console import live_timeouts
from tests.support.recording_rasa import RecordingRasa
from tests.unit.backend.backend_fakes import add_active_account


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path, configure):
    url = f"sqlite:///{tmp_path / 'sportello.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    configure(
        DATABASE_URL=url,
        ORARI_OPERATORI="lun-ven 8-20",
        LIVE_QUEUE_TIMEOUT_SECONDS="300",
        LIVE_IDLE_MINUTES="15",
    )
    return get_settings()


@pytest.fixture
def rasa(monkeypatch) -> RecordingRasa:
    recorder = RecordingRasa()
    monkeypatch.setattr(live_timeouts.RasaConversation, "from_settings", lambda _s: recorder)
    return recorder


@pytest.fixture
def uow(settings, clock):
    return lambda: bootstrap.unit_of_work(settings, clock)


@pytest.fixture
def anna(uow) -> int:
    agent = staff.add_staff(uow(), "anna", "agent", "Console#2024")
    live_chats.set_available(uow(), agent, True)
    return agent


def run(settings, clock) -> int:
    return all_jobs()["live_timeouts"].work(settings, clock)


def logged_in_customer(uow) -> int:
    work = uow()
    with work:
        account = add_active_account(work, "mario@example.it", "RSSMRA85T10A562S")
        work.commit()
    return account


def test_a_logged_in_customer_nobody_took_gets_a_callback_ticket(settings, clock, uow, anna, rasa):
    account = logged_in_customer(uow)
    hours = settings.operator_hours()
    chat_id = live_chats.request(uow(), "web-a", "web", hours, account_id=account).chat_id
    clock.advance(seconds=299)
    assert run(settings, clock) == 0 and rasa.appended == []
    clock.advance(seconds=1)
    assert run(settings, clock) == 1
    work = uow()
    with work:
        chat = work.live_chats.get(chat_id)
        (ticket,) = work.callbacks.find()
    assert chat.end_reason == LiveChatEnd.QUEUE_TIMEOUT and chat.callback_id == ticket.id
    assert (ticket.name, ticket.phone, ticket.sender_id) == (
        "Mario Rossi",
        "+393331234567",
        "web-a",
    )
    assert ticket.topic == "Richiesta di parlare con un operatore"
    (told,) = live_chats.messages_for_customer(uow(), "web-a", 0)
    assert f"richiesta di ricontatto n. {ticket.id}" in told.text
    assert "termina con 67" in told.text and "dal lunedì al venerdì dalle 8 alle 20" in told.text
    assert rasa.appended == [
        (
            "web-a",
            [
                {"event": "bot", "text": told.text, "metadata": {}},
                {"event": "slot", "name": "in_coda", "value": False},
            ],
        )
    ]
    assert run(settings, clock) == 0  # idempotent: nothing more to end


def test_an_anonymous_customer_is_invited_to_leave_a_number(settings, clock, uow, anna, rasa):
    live_chats.request(uow(), "telegram-b", "telegram", settings.operator_hours())
    clock.advance(minutes=6)
    assert run(settings, clock) == 1
    (told,) = live_chats.messages_for_customer(uow(), "telegram-b", 0)
    assert "richiamatemi" in told.text and "803.500" in told.text
    work = uow()
    with work:
        assert work.callbacks.find() == []


def test_a_silent_customer_s_chat_goes_back_to_the_assistant(settings, clock, uow, anna, rasa):
    chat_id = live_chats.request(uow(), "web-c", "web", settings.operator_hours()).chat_id
    live_chats.take(uow(), chat_id, anna)
    clock.advance(minutes=10)
    live_chats.customer_says(uow(), "web-c", "ci sei?")
    clock.advance(minutes=14)
    assert run(settings, clock) == 0
    clock.advance(minutes=1)
    assert run(settings, clock) == 1
    idle = live_chats.messages_for_customer(uow(), "web-c", 0)[-1]
    assert rasa.appended == [
        ("web-c", [{"event": "bot", "text": idle.text, "metadata": {}}, {"event": "resume"}])
    ]
    assert live_chats.current(uow(), "web-c") is None


def test_an_unreachable_rasa_does_not_stop_the_job(settings, clock, uow, anna, rasa):
    rasa.down = True
    live_chats.request(uow(), "web-d", "web", settings.operator_hours())
    clock.advance(minutes=6)
    assert run(settings, clock) == 1
    assert live_chats.messages_for_customer(uow(), "web-d", 0)  # the widget still tells them


def test_the_job_runs_every_minute_by_default(settings):
    assert getattr(settings, all_jobs()["live_timeouts"].interval_setting) == 1
