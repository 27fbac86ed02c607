"""Health, readiness, metrics and request logs of the channels' HTTP processes (web app,
Telegram webhook): what a load balancer, Kubernetes and Prometheus read."""

import json
import logging

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from backend import logs
from bot.channels import ops
from bot.channels.telegram.webhook import webhook_app
from bot.channels.web import app as web
from tests.support.loopback import LoopbackServer, free_port
from tests.support.settings import fast_settings
from tests.unit.channels.test_web import FakeRasa

SECRET_TEXT = "la mia password è Segreta#2024"


@pytest.fixture(scope="module")
def rasa_root():
    """A server answering Rasa's `GET /` (what readiness asks)."""
    app = Starlette(routes=[Route("/", lambda _request: PlainTextResponse("Hello from Rasa"))])
    server = LoopbackServer(app).start()
    yield server.url
    server.stop()


def web_client(**values) -> TestClient:
    settings = fast_settings(**values)
    return TestClient(web.make_app(settings, httpx.MockTransport(FakeRasa())))


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_alive_answers_without_asking_anyone():
    with web_client(rasa_url=f"http://127.0.0.1:{free_port()}") as client:
        answer = client.get("/healthz")
    assert answer.status_code == 200 and answer.text == "ok"


def test_ready_when_the_database_and_rasa_answer(rasa_root):
    with web_client(rasa_url=rasa_root) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"pronto": True, "non_raggiungibili": []}


def test_not_ready_names_what_does_not_answer(rasa_root):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nessuno"
    with web_client(rasa_url=f"http://127.0.0.1:{free_port()}") as client:
        assert client.get("/readyz").json()["non_raggiungibili"] == ["rasa"]
    with web_client(rasa_url=rasa_root, database_url=closed) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"pronto": False, "non_raggiungibili": ["database"]}


def test_requests_are_counted_and_timed_per_route_and_chat_messages_per_channel():
    labels = {"process": "web", "endpoint": "/api/chat"}
    ok, refused = (sample("sportello_http_requests_total", **labels, status=s) for s in "24")
    timed = sample("sportello_http_request_seconds_count", **labels)
    messages = sample("sportello_messages_total", channel="web")
    with web_client() as client:
        body = {"sender": "sender-0001", "id": "message-0001", "message": "ciao"}
        assert client.post("/api/chat", json=body).status_code == 200
        assert client.post("/api/chat", json={"message": "ciao"}).status_code == 400
        exposition = client.get("/metrics")
    assert sample("sportello_http_requests_total", **labels, status="200") == ok + 1
    assert sample("sportello_http_requests_total", **labels, status="400") == refused + 1
    assert sample("sportello_http_request_seconds_count", **labels) == timed + 2
    assert sample("sportello_messages_total", channel="web") == messages + 1  # not the 400
    assert exposition.headers["content-type"].startswith("text/plain")
    assert 'sportello_messages_total{channel="web"}' in exposition.text


def test_unknown_paths_share_one_label():
    """A label per path would let anyone grow Prometheus' memory with made-up URLs."""
    before = sample("sportello_http_requests_total", process="web", endpoint="other", status="404")
    with web_client() as client:
        for n in range(3):
            client.get(f"/nessuna-pagina-{n}")
    after = sample("sportello_http_requests_total", process="web", endpoint="other", status="404")
    assert after == before + 3


def test_each_request_gets_an_id_and_a_proxy_s_id_is_kept():
    with web_client() as client:
        fresh = client.get("/healthz").headers[logs.REQUEST_ID_HEADER]
        kept = client.get("/healthz", headers={logs.REQUEST_ID_HEADER: "lb-1234abcd"})
        forged = client.get("/healthz", headers={logs.REQUEST_ID_HEADER: "<script>"})
    assert len(fresh) == 32 and kept.headers[logs.REQUEST_ID_HEADER] == "lb-1234abcd"
    assert forged.headers[logs.REQUEST_ID_HEADER] != "<script>"


def test_a_request_is_logged_as_json_with_its_id_and_never_the_message(caplog):
    caplog.set_level(logging.INFO, logger="sportello.http")
    with web_client() as client:
        body = {"sender": "sender-0001", "id": "message-0002", "message": SECRET_TEXT}
        request_id = client.post("/api/chat", json=body).headers[logs.REQUEST_ID_HEADER]
    (record,) = [r for r in caplog.records if r.name == "sportello.http"]
    logs.request_id.set(request_id)  # the middleware's context, as the formatter sees it
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["request_id"] == request_id
    assert (line["method"], line["endpoint"], line["status"]) == ("POST", "/api/chat", 200)
    assert "Segreta" not in json.dumps(line)


def test_json_logs_are_switched_on_by_the_setting():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logs.configure(fast_settings(log_format="text"))
        assert root.handlers == handlers  # the process keeps its own
        logs.configure(fast_settings(log_format="json"))
        assert isinstance(root.handlers[0].formatter, logs.JsonFormatter)
    finally:
        root.handlers[:], root.level = handlers, level


def test_the_telegram_webhook_answers_the_same_probes(rasa_root):
    checks = ops.rasa_ready(fast_settings(rasa_url=rasa_root))
    down = ops.rasa_ready(fast_settings(rasa_url=f"http://127.0.0.1:{free_port()}"))
    with TestClient(webhook_app(None, "/telegram", "secret", checks)) as client:
        assert client.get("/healthz").text == "ok"
        assert client.get("/readyz").status_code == 200
        assert client.post("/telegram").status_code == 403  # the secret is still checked
        assert "sportello_http_requests_total" in client.get("/metrics").text
    with TestClient(webhook_app(None, "/telegram", "secret", down)) as client:
        assert client.get("/readyz").json()["non_raggiungibili"] == ["rasa"]
