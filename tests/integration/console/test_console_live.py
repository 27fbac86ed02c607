"""«In diretta» over HTTP: availability, the queue, the race to take, messages, giving back.

Rasa is a recorder here (what the console would append to the tracker, or a refusal); the
end-to-end test (tests/e2e/test_flow_live_handover.py) runs the same steps against a real Rasa.
"""

import time

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from actions.contract import RATING_ID_SLOT, RATING_OFFER_SLOT, RATING_PROMPT, rating_buttons
from backend import bootstrap, db, live_chats, staff
from backend.entities import LiveChatEnd, LiveChatState
from backend.settings import get_settings
from console.app import make_console
from console.auth import SESSION_COOKIE
from tests.support.conversations import Script
from tests.support.recording_rasa import RecordingRasa


@pytest.fixture
def backend_url(tmp_path, configure) -> str:
    url = f"sqlite:///{tmp_path / 'sportello.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    configure(DATABASE_URL=url, ORARI_OPERATORI="lun-dom 0-24")
    return url


@pytest.fixture
def rasa() -> RecordingRasa:
    return RecordingRasa()


@pytest.fixture
def notified() -> list[str]:
    return []


@pytest.fixture
def console(backend_url, index, rasa, notified):
    """Logs staff in: ``console("anna")`` is a client with anna's session and CSRF token."""

    async def notify(sender_id: str) -> None:
        notified.append(sender_id)

    web = Starlette(routes=[Mount("/console", app=make_console(index, rasa, notify))])
    clients = []

    def login(username: str):
        staff_id = staff.add_staff(bootstrap.unit_of_work(), username, "agent", "Console#2024")
        token, csrf = staff.open_session(bootstrap.unit_of_work(), staff_id)
        client = TestClient(web, follow_redirects=False)
        client.__enter__()
        client.cookies.set(SESSION_COOKIE, token, path="/console")
        client.csrf, client.staff_id = csrf, staff_id
        clients.append(client)
        return client

    yield login
    for client in clients:
        client.__exit__(None, None, None)


def post(client, path: str, **fields):
    return client.post(f"/console/diretta{path}", data={"csrf": client.csrf, **fields})


def waiting(sender_id: str = "web-abc") -> int:
    uow = bootstrap.unit_of_work()
    return live_chats.request(uow, sender_id, "web", get_settings().operator_hours()).chat_id


def test_an_operator_becomes_available_and_sees_the_queue(console):
    anna = console("anna")
    page = anna.get("/console/diretta")
    assert page.status_code == 200
    assert "In diretta" in page.text and "Disponibile" in page.text
    assert post(anna, "/disponibile", disponibile="1").status_code == 303
    chat_id = waiting()
    page = anna.get("/console/diretta").text
    assert f'action="/console/diretta/{chat_id}/prendi"' in page and "Prendi in carico" in page
    events = anna.get("/console/diretta/eventi?dopo=0").json()
    assert events["disponibile"] is True
    assert events["coda"] == [
        {"id": chat_id, "posizione": 1, "attesa": "meno di un minuto", "canale": "Sito"}
    ]
    assert events["mie"] == [] and events["messaggi"] == []
    assert post(anna, "/disponibile").status_code == 303
    assert anna.get("/console/diretta/eventi").json()["disponibile"] is False


def test_two_operators_race_one_takes_the_other_is_told(console, rasa, notified):
    anna, bruno = console("anna"), console("bruno")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting()
    assert post(anna, f"/{chat_id}/prendi").status_code == 303
    lost = post(bruno, f"/{chat_id}/prendi")
    assert lost.status_code == 409
    assert "Questa conversazione è già stata presa in carico" in lost.text
    [(sender, events)] = rasa.appended
    assert sender == "web-abc"
    assert events[0] == {"event": "pause"}
    assert events[1]["event"] == "bot" and "Anna" in events[1]["text"]
    assert events[1]["metadata"] == {"operatore": "anna"}
    assert events[2] == {"event": "slot", "name": "in_coda", "value": False}
    assert notified == ["web-abc"]
    assert anna.get("/console/diretta/eventi").json()["mie"] == [chat_id]
    assert bruno.get("/console/diretta/eventi").json()["mie"] == []
    audit = bootstrap.unit_of_work()
    with audit:
        taken = [e.details["staff_id"] for e in audit.audit.find(event="live_taken")]
    assert taken == [anna.staff_id]


def test_messages_go_both_ways_and_the_chat_is_given_back(console, rasa, notified):
    anna = console("anna")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting()
    post(anna, f"/{chat_id}/prendi")
    said = live_chats.customer_says(bootstrap.unit_of_work(), "web-abc", "mi chiamo 3331234567")
    events = anna.get("/console/diretta/eventi?dopo=0").json()
    assert [m["author"] for m in events["messaggi"]] == ["system", "customer"]
    assert events["messaggi"][-1]["text"] == said.text and "3331234567" not in said.text
    last = events["messaggi"][-1]["id"]
    assert anna.get(f"/console/diretta/eventi?dopo={last}").json()["messaggi"] == []

    page = anna.get("/console/diretta").text
    assert "Messaggio" in page and "Invia" in page and "Restituisci all'assistente" in page
    assert post(anna, f"/{chat_id}/messaggio", testo="Controllo subito.").status_code == 303
    assert rasa.appended[-1] == (
        "web-abc",
        [{"event": "bot", "text": "Controllo subito.", "metadata": {"operatore": "anna"}}],
    )
    to_customer = live_chats.messages_for_customer(bootstrap.unit_of_work(), "web-abc", 0)
    assert [m.text for m in to_customer][-1] == "Controllo subito."
    assert post(anna, f"/{chat_id}/messaggio", testo="   ").status_code == 400

    assert post(anna, f"/{chat_id}/restituisci").status_code == 303
    resumed, said_last = rasa.appended[-2:]
    assert resumed == ("web-abc", [{"event": "resume"}])
    last_word, invitation, offer, vote = said_last[1]
    assert "restituito la conversazione all'assistente" in last_word["text"]
    # The invitation to rate the hand-over: in the transcript with its offer, and to the customer.
    assert invitation["data"]["buttons"] == rating_buttons()
    assert (offer["name"], offer["value"]) == (RATING_OFFER_SLOT, f"operatore:{chat_id}")
    assert (vote["name"], vote["value"]) == (RATING_ID_SLOT, None)
    told = live_chats.messages_for_customer(bootstrap.unit_of_work(), "web-abc", 0)
    assert (told[-1].text, told[-1].buttons) == (RATING_PROMPT, rating_buttons())
    chat = live_chats.current(bootstrap.unit_of_work(), "web-abc")
    assert chat is None
    assert notified == ["web-abc"] * 3


def test_a_conversation_nobody_handed_over_or_another_s_is_not_found(console, rasa):
    anna, bruno = console("anna"), console("bruno")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting()
    post(anna, f"/{chat_id}/prendi")
    for path in (f"/{chat_id}/messaggio", f"/{chat_id}/restituisci", f"/{chat_id}/chiudi"):
        assert post(bruno, path, testo="ciao").status_code == 404
    assert post(bruno, "/9999/restituisci").status_code == 404
    queued = waiting("web-queued")
    assert post(bruno, f"/{queued}/restituisci").status_code == 404  # nobody has it yet
    assert post(bruno, "/9999/prendi").status_code == 404
    assert live_chats.current(bootstrap.unit_of_work(), "web-abc").operator_id == anna.staff_id
    assert [sender for sender, _ in rasa.appended] == ["web-abc"]  # anna's take only


def test_a_post_without_the_csrf_token_changes_nothing(console):
    anna = console("anna")
    refused = anna.post("/console/diretta/disponibile", data={"disponibile": "1"})
    assert refused.status_code == 403
    assert anna.get("/console/diretta/eventi").json()["disponibile"] is False


def test_when_rasa_cannot_pause_the_chat_goes_back_to_the_queue(console, rasa, notified):
    anna = console("anna")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting()
    rasa.down = True
    refused = post(anna, f"/{chat_id}/prendi")
    assert refused.status_code == 503 and "è rimasta in coda" in refused.text
    assert live_chats.place(bootstrap.unit_of_work(), "web-abc").position == 1
    assert live_chats.messages_for_customer(bootstrap.unit_of_work(), "web-abc", 0) == []
    assert notified == []


def test_when_rasa_cannot_resume_the_chat_stays_with_the_operator(console, rasa):
    anna = console("anna")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting()
    post(anna, f"/{chat_id}/prendi")
    rasa.down = True
    refused = post(anna, f"/{chat_id}/chiudi")
    assert refused.status_code == 503 and "resta a te" in refused.text
    chat = live_chats.current(bootstrap.unit_of_work(), "web-abc")
    assert (chat.state, chat.operator_id) == (LiveChatState.ACTIVE, anna.staff_id)
    rasa.down = False
    assert post(anna, f"/{chat_id}/chiudi").status_code == 303
    uow = bootstrap.unit_of_work()
    with uow:
        assert uow.live_chats.get(chat_id).end_reason == LiveChatEnd.CLOSED


def test_the_page_shows_the_transcript_before_the_take_masked(console, store):
    anna = console("anna")
    post(anna, "/disponibile", disponibile="1")
    chat_id = waiting("web-tx")
    talk = Script("web-tx", time.time() - 120).session()
    store(talk.faq("la mia mail è mario.rossi@example.com", "inform", "Ecco la risposta."))
    post(anna, f"/{chat_id}/prendi")
    page = anna.get("/console/diretta").text
    assert "la mia mail è" in page and "mario.rossi@example.com" not in page
    assert "Ecco la risposta." in page
