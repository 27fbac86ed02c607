"""An operator takes a chat through the console of the running web app, with the real Rasa:
the bot falls silent (the customer's messages are still stored), the operator's messages are
in the tracker under the operator's name, and after the give-back the bot answers again."""

import re
import uuid
from datetime import timedelta

import httpx
import pytest

from actions.contract import RATING_PROMPT
from backend import jobs, live_chats, staff
from backend.clock import utcnow
from backend.operator_hours import parse_operator_hours
from backend.settings import Settings
from console.auth import SESSION_COOKIE
from tests.support.chat import said

pytestmark = pytest.mark.e2e

# The queue is joined in the database: the stack's operators' hours are those of the
# other tests, and joining it from the chat is the actions' unit tests' business.
ALWAYS = parse_operator_hours("lun-dom 0-24")
FAQ = "come faccio a registrarmi al portale?"


@pytest.fixture
def operator(stack, uow):
    """A logged-in staff client of the web app's console, «Disponibile»."""
    name = f"op.{uuid.uuid4().hex[:8]}"
    staff_id = staff.add_staff(uow(), name, "agent", "Console#2024")
    live_chats.set_available(uow(), staff_id, True)
    token, csrf = staff.open_session(uow(), staff_id)
    with httpx.Client(base_url=stack.web_url, timeout=30) as client:
        client.cookies.set(SESSION_COOKIE, token, path="/console")
        client.csrf, client.username = csrf, name
        yield client


def tracker_events(stack, sender: str) -> list[dict]:
    return httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", timeout=30).json()[
        "events"
    ]


def test_the_bot_is_silent_while_an_operator_has_the_chat(stack, uow, chat, operator):
    assert "registr" in said(chat(FAQ)).lower()
    chat_id = live_chats.request(uow(), chat.sender, "web", ALWAYS).chat_id
    page = operator.get("/console/diretta").text
    assert "In diretta" in page and f"/console/diretta/{chat_id}/prendi" in page

    taken = operator.post(f"/console/diretta/{chat_id}/prendi", data={"csrf": operator.csrf})
    assert taken.status_code == 303
    assert chat("ci siete? ho ancora un dubbio") == []  # paused: no prediction, no answer
    events = tracker_events(stack, chat.sender)
    assert events[-1]["event"] == "user" and events[-1]["text"] == "ci siete? ho ancora un dubbio"
    assert {"event": "pause"} in [{"event": e["event"]} for e in events]

    form = {"csrf": operator.csrf, "testo": "Buongiorno, controllo la sua pratica."}
    assert operator.post(f"/console/diretta/{chat_id}/messaggio", data=form).status_code == 303
    bot = [e for e in tracker_events(stack, chat.sender) if e["event"] == "bot"]
    assert bot[-1]["text"] == "Buongiorno, controllo la sua pratica."
    assert bot[-1]["metadata"]["operatore"] == operator.username

    back = operator.post(f"/console/diretta/{chat_id}/restituisci", data={"csrf": operator.csrf})
    assert back.status_code == 303
    said_last = [e["text"] for e in tracker_events(stack, chat.sender) if e["event"] == "bot"]
    assert re.search(r"restituito la conversazione all'assistente", said_last[-2])
    assert said_last[-1] == RATING_PROMPT  # the invitation to rate the hand-over
    assert "registr" in said(chat(FAQ)).lower()  # the bot answers again


def test_a_conversation_nobody_handed_over_is_not_found(stack, chat, operator):
    chat("ciao")
    refused = operator.post("/console/diretta/987654/prendi", data={"csrf": operator.csrf})
    assert refused.status_code == 404
    assert said(chat(FAQ))


def test_a_silent_customer_s_chat_goes_back_to_the_bot_by_the_job(stack, uow, chat, operator):
    chat("ciao")
    chat_id = live_chats.request(uow(), chat.sender, "web", ALWAYS).chat_id
    operator.post(f"/console/diretta/{chat_id}/prendi", data={"csrf": operator.csrf})
    assert chat("ci siete?") == []
    settings = Settings(database_url=stack.database_url, rasa_url=stack.rasa_url)
    later = utcnow() + timedelta(minutes=settings.live_idle_minutes + 1)
    assert jobs.all_jobs()["live_timeouts"].work(settings, lambda: later) >= 1
    events = tracker_events(stack, chat.sender)
    assert "non abbiamo ricevuto risposta" in events[-2]["text"]
    assert events[-1]["event"] == "resume"
    assert "registr" in said(chat(FAQ)).lower()
