"""Whatever a client sends to ``/api/chat`` and ``/api/documenti``, the web app answers below
500: any JSON (lone surrogates, wrong types, huge strings), not JSON at all, odd headers."""

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from backend.settings import Settings
from bot.channels.web import app as web
from bot.channels.web.identity import HEADER
from tests.unit.channels.test_web import FakeRasa

# Every code point, surrogates included: what JSON's \uXXXX escapes can carry.
# (st.text leaves surrogates out: strings are built from characters here.)
ANY_CHARACTER = st.characters() | st.characters(categories=["Cs"])
ANY_TEXT = st.lists(ANY_CHARACTER, max_size=300).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(ANY_TEXT, inner, max_size=5),
    max_leaves=20,
)
MESSAGE_ID = st.one_of(st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), JSON)
METADATA = st.one_of(
    st.fixed_dictionaries(
        {}, optional={"documento": JSON, "portal_token": JSON, "canale": JSON, "cliente": JSON}
    ),
    JSON,
)
MESSAGES = st.fixed_dictionaries(
    {"id": MESSAGE_ID, "message": st.one_of(ANY_TEXT, JSON)},
    optional={"metadata": METADATA, "sender": JSON, "huge": st.just("x" * 70_000)},
)
# The right shape with odd text: what reaches the bot unless the app catches it.
WELL_FORMED = st.fixed_dictionaries(
    {"id": st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True), "message": ANY_TEXT},
    optional={
        "metadata": st.dictionaries(st.sampled_from(["documento", "portal_token"]), ANY_TEXT)
    },
)
HEADERS = st.dictionaries(
    st.sampled_from([HEADER, "X-Forwarded-For", "Content-Type", "Cookie"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=200),
    max_size=3,
)


def escaped(body: object) -> bytes:
    """JSON with every non-ASCII character escaped: lone surrogates survive the trip."""
    return json.dumps(body, ensure_ascii=True).encode()


@pytest.fixture(scope="module")
def client():
    settings = Settings(
        rasa_url="http://rasa.test:5005",
        rate_limit_chat_client="100000/minute",
        rate_limit_chat_conversation="100000/minute",
        rate_limit_documents_client="100000/minute",
        rate_limit_documents_conversation="100000/minute",
    )
    app = web.make_app(settings, httpx.MockTransport(FakeRasa()))
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def assert_answered_in_italian(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["errore"]


@FUZZ
@given(body=st.one_of(WELL_FORMED, MESSAGES, JSON), headers=HEADERS)
def test_any_json_to_the_chat_is_answered_below_500(client, body, headers):
    assert_answered_in_italian(client.post("/api/chat", content=escaped(body), headers=headers))


@FUZZ
@given(raw=st.binary(max_size=2000), headers=HEADERS)
def test_any_bytes_to_the_chat_are_answered_below_500(client, raw, headers):
    assert_answered_in_italian(client.post("/api/chat", content=raw, headers=headers))


@FUZZ
@given(raw=st.binary(max_size=2000), name=ANY_TEXT, headers=HEADERS)
def test_any_upload_is_answered_below_500(client, uow, raw, name, headers):  # noqa: F811
    params = {"nome": name.encode("utf-8", "surrogatepass").decode("utf-8", "replace")}
    response = client.post("/api/documenti", params=params, content=raw, headers=headers)
    assert_answered_in_italian(response)
