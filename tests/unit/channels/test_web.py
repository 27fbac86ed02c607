"""The web app on port 8000: portal page, widget assets, the chat proxy and document uploads."""

import json
from contextlib import ExitStack

import httpx
import pytest
from starlette.testclient import TestClient

from backend import documents
from backend.settings import Settings
from bot.channels.web import app as web
from bot.channels.web import portal
from tests.support.chat import conversation_of
from tests.support.live import Operator
from tests.support.portal_data import PDF

MESSAGE_ID = "message-0001"


class FakeRasa:
    """Rasa's REST channel on a mock transport: records requests, answers or fails."""

    def __init__(self):
        self.requests: list[dict] = []
        self.down = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content)
        self.requests.append({"url": str(request.url), **body})
        replies = [{"recipient_id": body["sender"], "text": f"hai scritto: {body['message']}"}]
        if body["message"] == "Password#1":  # a login: the actions ask for a new credential
            replies.append({"recipient_id": body["sender"], "custom": {"credenziale": "rinnova"}})
        return httpx.Response(200, json=replies)

    def senders(self) -> list[str]:
        return [request["sender"] for request in self.requests]


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
def client_with(rasa):
    """Opens a test client of the app on settings with these values."""
    with ExitStack() as opened:

        def open_client(client=("203.0.113.7", 50000), base_url="http://testserver", **values):
            settings = Settings(
                rasa_url="http://rasa.test:5005",
                widget_origins=["https://portale.example.it"],
                **values,
            )
            app = web.make_app(settings, httpx.MockTransport(rasa))
            return opened.enter_context(TestClient(app, base_url=base_url, client=client))

        yield open_client


@pytest.fixture
def client(client_with):
    return client_with()


def chat(client, message="ciao", message_id=MESSAGE_ID, **extra):
    body = {"id": message_id, "message": message, **extra}
    return client.post("/api/chat", json=body)


def test_portal_page_embeds_the_widget_with_one_script_tag(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="it">' in page.text
    assert page.text.count("<script") == 1 and 'src="/static/widget.js"' in page.text
    assert "data-token" not in page.text


def test_a_logged_in_portal_user_hands_a_signed_token_to_the_widget(client_with):
    client = client_with(portal_jwt_key="k" * 40, portal_demo_user="mario.rossi@example.it")
    token = client.get("/").text.split('data-token="')[1].split('"')[0]
    claims = portal.jwt.decode(token, "k" * 40, algorithms=["HS256"])
    assert claims["sub"] == "mario.rossi@example.it" and claims["exp"] > claims["iat"]


def test_widget_assets_are_served_and_small(client):
    script, style = client.get("/static/widget.js"), client.get("/static/widget.css")
    assert script.status_code == style.status_code == 200
    assert len(script.content) + len(style.content) <= 60 * 1024


def test_widget_never_renders_text_as_html():
    source = (portal.STATIC / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


def test_a_message_reaches_rasa_with_only_the_metadata_the_bot_uses(client, rasa):
    metadata = {"documento": "12.firma", "portal_token": "a.b.c", "account": 1, "canale": "x"}
    replies = chat(client, metadata=metadata).json()
    (sent,) = rasa.requests
    assert replies == [{"recipient_id": sent["sender"], "text": "hai scritto: ciao"}]
    assert sent["url"] == "http://rasa.test:5005/webhooks/rest/webhook"
    # The client address for the SMS budget; a bad token dropped.
    assert sent["metadata"] == {"canale": "web", "cliente": "203.0.113.7", "documento": "12.firma"}


def test_the_portal_token_reaches_rasa_re_signed_for_a_minute(client_with, rasa):
    key = "k" * 40
    client = client_with(portal_jwt_key=key)
    token = portal.portal_token("mario.rossi@example.it", key)
    chat(client, metadata={"portal_token": token})
    relayed = rasa.requests[0]["metadata"]["portal_token"]
    assert relayed != token  # Rasa stores metadata: what it stores expires in a minute
    claims = portal.jwt.decode(relayed, key, algorithms=["HS256"])
    assert claims["sub"] == "mario.rossi@example.it" and claims["exp"] - claims["iat"] == 60
    expired = portal.portal_token("mario.rossi@example.it", key, seconds=-10)
    chat(client, message_id="message-0002", metadata={"portal_token": expired})
    assert "portal_token" not in rasa.requests[1]["metadata"]


def test_a_retried_message_is_answered_again_but_sent_to_the_bot_once(client, rasa):
    first = chat(client).json()
    assert chat(client).json() == first
    chat(client, message_id="message-0002")
    assert len(rasa.requests) == 2


def test_rasa_down_is_a_retryable_error_in_italian(client, rasa):
    rasa.down = True
    response = chat(client)
    assert response.status_code == 503 and "non è raggiungibile" in response.json()["errore"]
    rasa.down = False
    assert chat(client).status_code == 200  # the retry goes through


REFUSED = {"errore": "Richiesta non valida: il messaggio non è stato inviato."}


@pytest.mark.parametrize(
    "body",
    [
        {"id": MESSAGE_ID, "message": "   "},
        {"id": "../../", "message": "ciao"},
        {"id": "message-0001\n", "message": "ciao"},
        {"id": 12345678, "message": "ciao"},
        {"id": MESSAGE_ID, "message": ["ciao"]},
        {"id": MESSAGE_ID, "message": "ciao", "metadata": []},
        ["non", "un", "oggetto"],
        None,
    ],
)
def test_malformed_messages_are_refused(client, rasa, body):
    response = client.post("/api/chat", json=body)
    assert response.status_code == 400 and response.json() == REFUSED
    assert rasa.requests == []


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"\xff\xfe{}",
        b'{"id": "message-0001", "message": "\\udcda"}',  # a lone surrogate
        b'{"id": "message-0001", "message": "ok", "metadata": {"documento": "\\ud800"}}',
        b"[" * 5000 + b"]" * 5000,
    ],
    ids=["truncated", "not UTF-8", "lone surrogate", "surrogate in metadata", "deep"],
)
def test_what_is_not_json_or_not_utf_8_is_refused_in_italian(client, rasa, raw):
    response = client.post("/api/chat", content=raw)
    assert response.status_code == 400 and response.json() == REFUSED
    assert rasa.requests == []


def test_a_long_message_or_body_is_refused_before_it_reaches_the_bot(client, rasa):
    too_long = chat(client, "a" * 5001)
    assert too_long.status_code == 400 and "troppo lungo" in too_long.json()["errore"]
    huge = client.post("/api/chat", content=b'{"message": "' + b"a" * 100_000 + b'"}')
    assert huge.status_code == 400 and "troppo lungo" in huge.json()["errore"]
    assert rasa.requests == []


def test_other_sites_listed_may_embed_the_widget(client):
    allowed = {"Origin": "https://portale.example.it", "Access-Control-Request-Method": "POST"}
    assert client.options("/api/chat", headers=allowed).status_code == 200
    other = {"Origin": "https://altro.example", "Access-Control-Request-Method": "POST"}
    assert client.options("/api/chat", headers=other).status_code == 400


def test_a_pdf_upload_returns_a_reference_for_the_bot(client, uow):
    response = client.post("/api/documenti?nome=C:\\scansioni\\<carta>.pdf", content=PDF)
    assert response.status_code == 201
    body = response.json()
    assert body["nome"] == "carta.pdf"
    assert documents.check_upload(uow, body["riferimento"]) == "application/pdf"


def test_a_text_file_is_refused_in_italian(client, uow):
    response = client.post("/api/documenti?nome=note.txt", content=b"solo testo")
    assert response.status_code == 415
    assert response.json() == {"errore": "Il documento deve essere un file PDF, JPEG o PNG."}
    assert uow.documents.find() == []


def test_too_big_a_file_is_refused_before_it_is_stored(client, uow):
    big = PDF + b"0" * documents.MAX_DOCUMENT_BYTES
    response = client.post("/api/documenti?nome=grande.pdf", content=big)
    assert response.status_code == 413
    assert response.json() == {"errore": "Il documento supera la dimensione massima di 5 MB."}

    def chunks():
        yield PDF
        yield b"0" * documents.MAX_DOCUMENT_BYTES  # no Content-Length: counted while read

    assert client.post("/api/documenti", content=chunks()).status_code == 413
    assert uow.documents.find() == []


def test_unknown_paths_are_not_found(client):
    assert client.get("/static/../app.py").status_code == 404
    assert client.get("/admin").status_code == 404
    assert client.get("/api/chat").status_code == 405


@pytest.mark.parametrize(
    ("setting", "title"),
    [
        ("clauses_url", "Clausole legali del portale"),
        ("delegation_clauses_url", "Clausole legali della delega"),
        ("help_online_url", "Help OnLine"),
        ("registration_url", "Registrazione"),
        ("producer_registration_url", "Area Produttori"),
    ],
)
def test_every_page_the_answers_link_by_default_is_served(client, setting, title):
    """The registration's clauses, the delega's own, and the FAQ's «qui» links."""
    path = getattr(Settings(), setting).removeprefix("http://localhost:8000")
    page = client.get(path)
    assert page.status_code == 200 and f"<h1>{title}</h1>" in page.text
    assert setting.upper() in page.text  # the variable that points to the real page


# ---- live hand-over: the customer's words reach the operator holding the chat
@pytest.fixture
def operator(uow):
    return Operator(lambda: uow)


def test_during_a_live_chat_the_customer_s_words_reach_the_operator_once(client, rasa, operator):
    first = chat(client, "buongiorno", message_id="message-0001")
    sender = conversation_of(first.headers["X-Conversation"])
    assert operator.heard() == []  # no live chat yet: nothing recorded
    operator.take(sender)
    said = chat(client, "mi chiamo Anna, il cf è RSSMRA80A01H501U", message_id="message-0002")
    assert said.json() == [
        {"recipient_id": sender, "text": f"hai scritto: {rasa.requests[-1]['message']}"}
    ]
    chat(client, "mi chiamo Anna, il cf è RSSMRA80A01H501U", message_id="message-0002")  # a retry
    chat(client, "/faq_browser", message_id="message-0003")  # a button's payload
    (heard,) = operator.heard()
    assert heard.startswith("mi chiamo Anna, il cf è ") and "RSSMRA80A01H501U" not in heard
    assert len(rasa.requests) == 3  # Rasa still gets every message once


def test_another_conversation_never_reaches_the_operator(client_with, operator):
    mine = client_with(client=("203.0.113.7", 1))
    sender = conversation_of(chat(mine, "ciao").headers["X-Conversation"])
    operator.take(sender)
    other = client_with(client=("203.0.113.8", 1))
    chat(other, "sono un altro cliente")
    assert operator.heard() == []


def test_the_feed_may_be_read_from_the_sites_that_embed_the_widget(client):
    asks = {"Origin": "https://portale.example.it", "Access-Control-Request-Method": "GET"}
    asks["Access-Control-Request-Headers"] = "x-conversation"
    assert client.options("/api/chat/diretta", headers=asks).status_code == 200
