"""Each process of the app checks its settings when it starts: outside development a missing
or weak key stops it with the reasons; in development, or with strong keys, it starts."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import ROOT
from tests.support.loopback import free_port
from tests.support.stack import READY_TIMEOUT

BIN = Path(sys.executable).parent
COMMANDS = {
    "web": [sys.executable, "-m", "uvicorn", "bot.channels.web.app:app", "--port", "{port}"],
    "actions": [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", "{port}"],
    "dispatch": [str(BIN / "sportello"), "dispatch", "--once"],
    "telegram": [str(BIN / "sportello"), "telegram"],
}
READY_PATH = {"web": "/", "actions": "/healthz"}
DEVELOPMENT = {"SPORTELLO_ENV": "development"}
STRONG_KEYS = {"SECRET_KEY": "s" * 48, "PORTAL_JWT_KEY": "p" * 48}
UNSET = ("SPORTELLO_ENV", "SECRET_KEY", "PORTAL_JWT_KEY", "PORTAL_DEMO_USER", "TELEGRAM_BOT_TOKEN")


def environment(tmp_path: Path, **values: str) -> dict[str, str]:
    """The test's environment without any of the keys, on scratch databases, plus ``values``."""
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'sportello.db'}"
    env["TRACKER_STORE_URL"] = f"sqlite:///{tmp_path / 'tracker.db'}"
    return env | values


def command(process: str, port: int = 0) -> list[str]:
    return [part.replace("{port}", str(port)) for part in COMMANDS[process]]


@pytest.mark.parametrize("process", COMMANDS)
def test_outside_development_no_secret_key_means_no_start(process, tmp_path):
    done = subprocess.run(
        command(process),
        cwd=ROOT,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Configurazione non valida, Sportello non parte:" in done.stderr
    assert "SECRET_KEY: manca" in done.stderr


@pytest.mark.parametrize("values", [DEVELOPMENT, STRONG_KEYS], ids=["development", "strong-keys"])
@pytest.mark.parametrize("process", READY_PATH)
def test_in_development_or_with_strong_keys_the_process_serves(process, values, tmp_path):
    port, log = free_port(), tmp_path / "process.log"
    with log.open("w") as output:
        running = subprocess.Popen(
            command(process, port),
            cwd=ROOT,
            env=environment(tmp_path, **values),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # rasa_sdk's Sanic runs a worker process: stop the group
        )
    try:
        url = f"http://127.0.0.1:{port}{READY_PATH[process]}"
        assert wait_ready(running, url), log.read_text()
    finally:
        os.killpg(running.pid, signal.SIGTERM)
        try:
            running.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(running.pid, signal.SIGKILL)
            running.wait()


def wait_ready(process: subprocess.Popen, url: str, timeout: float = READY_TIMEOUT) -> bool:
    """True once ``url`` answers 200; False when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    return False
