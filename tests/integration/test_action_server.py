"""The action server as deployed (``python -m actions.server``): rasa-sdk's webhook plus
health, readiness on the backend database, and Prometheus metrics per action."""

import subprocess
import sys
import time

import httpx
import pytest

from tests.integration.test_startup import DEVELOPMENT, environment
from tests.support.loopback import free_port
from tests.support.processes import spawn, terminate


@pytest.fixture
def action_server(tmp_path):
    """Starts one on a free port with the given environment; its URL once it answers."""
    started: list[subprocess.Popen] = []

    def start(**values: str) -> str:
        port = free_port()
        command = [sys.executable, "-m", "actions.server", "--actions", "actions"]
        env = environment(tmp_path, **DEVELOPMENT, **values)
        process = spawn([*command, "--port", str(port)], env, tmp_path / f"actions-{port}.log")
        started.append(process)
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / f"actions-{port}.log").read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).text == "ok":
                    return url
            except httpx.TransportError:
                time.sleep(0.2)
        raise TimeoutError("the action server did not start")

    yield start
    terminate(*started)


def call(action: str) -> dict:
    tracker = {"sender_id": "s1", "slots": {}, "latest_message": {}, "events": []}
    return {"next_action": action, "sender_id": "s1", "tracker": tracker, "domain": {}}


def sample(exposition: str, line_start: str) -> float:
    (line,) = [line for line in exposition.splitlines() if line.startswith(line_start)]
    return float(line.rsplit(" ", 1)[1])


def test_actions_are_counted_timed_and_failed_ones_told_apart(action_server):
    url = action_server()
    assert httpx.get(f"{url}/health").status_code == 200  # rasa-sdk's own is still there
    assert httpx.get(f"{url}/readyz").json() == {"pronto": True, "non_raggiungibili": []}
    assert httpx.post(f"{url}/webhook", json=call("action_nessuna")).status_code == 404
    metrics = httpx.get(f"{url}/metrics").text
    failed = 'sportello_actions_total{action="action_nessuna",result="failed"}'
    assert sample(metrics, failed) == 1.0
    assert sample(metrics, 'sportello_action_seconds_count{action="action_nessuna"}') == 1.0
    webhook = 'sportello_http_requests_total{endpoint="/webhook",process="actions",status="404"}'
    assert sample(metrics, webhook) == 1.0


def test_not_ready_while_the_database_does_not_answer(action_server):
    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nessuno"
    url = action_server(DATABASE_URL=closed)
    answer = httpx.get(f"{url}/readyz", timeout=10)
    assert answer.status_code == 503 and answer.json()["non_raggiungibili"] == ["database"]
    assert httpx.get(f"{url}/healthz").status_code == 200  # alive: a restart would not help
