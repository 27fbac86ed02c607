"""Rate limits of the web chat and uploads: per client address and per conversation."""

import asyncio
import uuid
from contextlib import ExitStack

import httpx
import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from backend.settings import Settings
from bot.channels.rate_limits import RateLimit, storage_for
from bot.channels.web import app as web
from bot.channels.web.identity import HEADER
from bot.channels.web.limits import ClientAddress, client_key
from tests.support.portal_data import PDF
from tests.support.services import REDIS_URL
from tests.unit.channels.test_web import FakeRasa


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 4321), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.7", None, "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),  # anyone can write the header
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "1.2.3.4, 198.51.100.1, 10.0.0.3", "198.51.100.1"),  # the nearest
        ("10.0.0.2", "10.0.0.5, 10.0.0.3", "10.0.0.5"),
        ("10.0.0.2", "1.2.3.4, non-un-indirizzo", "10.0.0.2"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_peer_or_what_a_trusted_proxy_forwarded(peer, forwarded, client):
    assert ClientAddress(["10.0.0.0/8"])(request_from(peer, forwarded)) == client


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # the same subscriber
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("sconosciuto", "sconosciuto"),
    ],
)
def test_an_ipv6_client_counts_by_its_64_network(address, key):
    assert client_key(address) == key


@pytest.fixture
def open_client():
    """A web app on these settings; its clients from this address (the proxy: 127.0.0.1)."""
    rasa = FakeRasa()
    with ExitStack() as opened:

        def open_app(**values) -> TestClient:
            settings = Settings(
                rasa_url="http://rasa.test:5005", trusted_proxies=["127.0.0.1"], **values
            )
            app = web.make_app(settings, httpx.MockTransport(rasa))
            return opened.enter_context(TestClient(app, client=("127.0.0.1", 5000)))

        yield open_app


def send(client, address, credential=None, body=None):
    headers = {"X-Forwarded-For": address} | ({HEADER: credential} if credential else {})
    body = body if body is not None else {"id": uuid.uuid4().hex, "message": "ciao"}
    client.cookies.clear()
    return client.post("/api/chat", json=body, headers=headers)


def test_a_flood_from_one_address_gets_429_while_another_is_answered(open_client):
    client = open_client(rate_limit_chat_client="5/minute")
    statuses = [send(client, "198.51.100.1").status_code for _ in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    refused = send(client, "198.51.100.1")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["errore"].startswith("Stai inviando troppi messaggi: riprova tra")
    assert send(client, "198.51.100.2").status_code == 200


def test_bad_requests_count_too(open_client):
    client = open_client(rate_limit_chat_client="3/minute")
    assert [send(client, "198.51.100.3", body={}).status_code for _ in range(4)] == [
        400,
        400,
        400,
        429,
    ]


def test_one_conversation_is_limited_on_its_own(open_client):
    client = open_client(rate_limit_chat_conversation="2/minute")
    credential = send(client, "198.51.100.4").headers[HEADER]
    assert send(client, "198.51.100.4", credential).status_code == 200
    assert send(client, "198.51.100.5", credential).status_code == 429  # another address
    assert send(client, "198.51.100.4").status_code == 200  # a new conversation


def test_uploads_are_limited_per_address_and_conversation(open_client, uow):  # noqa: F811
    client = open_client(
        rate_limit_documents_client="2/hour", rate_limit_documents_conversation="1/hour"
    )
    credential = send(client, "198.51.100.6").headers[HEADER]

    def upload(address, credential=None):
        headers = {"X-Forwarded-For": address} | ({HEADER: credential} if credential else {})
        client.cookies.clear()
        return client.post("/api/documenti?nome=c.pdf", content=PDF, headers=headers).status_code

    assert [upload("198.51.100.6", credential), upload("198.51.100.7", credential)] == [201, 429]
    assert [upload("198.51.100.8"), upload("198.51.100.8"), upload("198.51.100.8")] == [
        201,
        201,
        429,
    ]
    assert len(uow.documents.find()) == 3


def test_replicas_count_together_on_redis():
    name = f"prova-{uuid.uuid4().hex}"

    async def hits() -> list[int | None]:
        one = RateLimit(name, "3/minute", storage_for(REDIS_URL))
        other = RateLimit(name, "3/minute", storage_for(REDIS_URL))
        return [await limit.hit("198.51.100.9") for limit in (one, other, one, other)]

    *allowed, refused = asyncio.run(hits())
    assert allowed == [None, None, None] and 1 <= refused <= 60
