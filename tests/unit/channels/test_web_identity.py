"""The web chat talks to the conversation the web app issued, never to one a client names."""

import time
import uuid
from contextlib import ExitStack

import httpx
import jwt
import pytest
from starlette.testclient import TestClient

from backend.settings import Settings
from bot.channels.web import app as web
from bot.channels.web.identity import COOKIE, HEADER, Credential, Credentials
from tests.support.services import REDIS_URL
from tests.unit.channels.test_web import FakeRasa

LOGIN = "Password#1"  # FakeRasa answers it as a login: with the renewal payload


@pytest.fixture
def rasa():
    return FakeRasa()


@pytest.fixture
def open_client(rasa):
    """Clients of web apps on these settings (several apps: several replicas)."""
    with ExitStack() as opened:

        def open_app(base_url="http://testserver", **values) -> TestClient:
            settings = Settings(rasa_url="http://rasa.test:5005", secret_key="s" * 40, **values)
            app = web.make_app(settings, httpx.MockTransport(rasa))
            return opened.enter_context(TestClient(app, base_url=base_url))

        yield open_app


def send(client, message="ciao", credential=None, message_id=None, **extra):
    headers = {HEADER: credential} if credential else {}
    body = {"id": message_id or uuid.uuid4().hex, "message": message, **extra}
    return client.post("/api/chat", json=body, headers=headers)


def nonce(credential: str) -> str:
    return jwt.decode(credential, options={"verify_signature": False})["n"]


def fresh(client) -> TestClient:
    """The same app without the cookie jar: a client that only has the header."""
    client.cookies.clear()
    return client


def test_each_new_client_gets_a_conversation_of_its_own(open_client, rasa):
    client = open_client()
    first = send(client)
    second = send(fresh(client))
    one, other = rasa.senders()
    assert one != other and one.startswith("web-") and other.startswith("web-")
    assert len(one.removeprefix("web-")) >= 22  # 128 random bits, URL-safe base64
    assert first.headers[HEADER] != second.headers[HEADER]


def test_the_credential_travels_as_an_http_only_cookie_and_a_header(open_client):
    response = send(open_client())
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={response.headers[HEADER]};")
    assert "HttpOnly" in cookie and "Path=/api" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain HTTP: development


def test_over_https_the_cookie_is_secure_and_goes_with_embeds(open_client):
    cookie = send(open_client(base_url="https://testserver")).headers["set-cookie"]
    assert "Secure" in cookie and "SameSite=none" in cookie


def test_the_cookie_or_the_header_alone_continues_the_conversation(open_client, rasa):
    client = open_client()
    credential = send(client).headers[HEADER]
    send(client)  # the cookie
    send(fresh(client), credential=credential)  # the header (third-party cookies blocked)
    assert len(set(rasa.senders())) == 1


@pytest.mark.parametrize(
    "named", ["telegram-123456789", "web-someone-else", "../conversations/x", "e2e-x"]
)
def test_a_sender_in_the_body_is_ignored(open_client, rasa, named):
    send(open_client(), sender=named)
    (sender,) = rasa.senders()
    assert sender.startswith("web-") and named not in sender


def test_a_credential_the_app_did_not_sign_starts_a_new_conversation(open_client, rasa):
    client = open_client()
    send(client)
    (mine,) = rasa.senders()
    conversation = mine.removeprefix("web-")
    claims = {"sub": conversation, "n": "x", "exp": int(time.time()) + 60}
    forged = [
        jwt.encode(claims, "another key of at least thirty-two bytes", algorithm="HS256"),
        jwt.encode(claims, None, algorithm="none"),
        "telegram-123456789",
        "",
    ]
    for credential in forged:
        send(fresh(client), credential=credential)
    assert mine not in rasa.senders()[1:]


def test_a_lapsed_credential_starts_a_new_conversation(open_client, rasa):
    client = open_client()
    send(client)
    (mine,) = rasa.senders()
    credentials = Credentials(Settings(secret_key="s" * 40))
    credentials.seconds = -10  # issued long ago
    lapsed = credentials.token(Credential(mine.removeprefix("web-"), "n"))
    send(fresh(client), credential=lapsed)
    assert rasa.senders()[1] != mine


def test_a_login_renews_the_credential_and_the_old_one_stops_working(open_client, rasa):
    client = open_client()
    before = send(client).headers[HEADER]
    login = send(client, LOGIN, credential=before)
    after = login.headers[HEADER]
    assert after != before
    assert [reply.get("custom") for reply in login.json()] == [None]  # the payload stripped
    send(fresh(client), "le mie forniture", credential=after)
    send(fresh(client), "le mie forniture", credential=before)  # planted before the login
    logged_in = rasa.senders()[0]
    assert rasa.senders()[1:3] == [logged_in, logged_in]
    assert rasa.senders()[3] != logged_in


def test_the_login_retried_with_the_old_credential_gets_the_same_answer_once(open_client, rasa):
    client = fresh(open_client())
    before = send(client).headers[HEADER]
    first = send(client, LOGIN, credential=before, message_id="login-message-1")
    again = send(fresh(client), LOGIN, credential=before, message_id="login-message-1")
    assert again.json() == first.json() and len(rasa.requests) == 2  # not sent twice
    assert nonce(again.headers[HEADER]) == nonce(first.headers[HEADER]) != nonce(before)


def test_replicas_on_redis_agree_the_old_credential_is_refused(open_client, rasa):
    one, other = open_client(redis_url=REDIS_URL), open_client(redis_url=REDIS_URL)
    before = send(fresh(one)).headers[HEADER]
    send(fresh(one), LOGIN, credential=before, message_id="login-message-2")
    # The other replica has not the login's answer to give again: no replay, an Italian note.
    retried = send(fresh(other), LOGIN, credential=before, message_id="login-message-2")
    assert retried.status_code == 409 and "rinnovata" in retried.json()["errore"]
    send(fresh(other), "le mie forniture", credential=before)
    assert len(rasa.requests) == 3 and rasa.senders()[2] != rasa.senders()[0]
