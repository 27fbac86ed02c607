"""Starts the real Rasa server and action server on free ports, for end-to-end tests and bench."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.services import REDIS_URL
from tests.tools import RASA, ROOT, rasa_env

MODEL = ROOT / "models" / "sportello.tar.gz"
READY_TIMEOUT = 180.0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    """A Rasa server and an action server sharing a scratch directory (tracker database, logs)."""

    workdir: Path
    # "stock": Rasa's own SQLTrackerStore instead of ours, to compare long conversations.
    stock_tracker_store: bool = False
    # More than one Sanic worker shares conversation locks through this Redis.
    workers: int = 1
    redis_url: str = REDIS_URL
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web_port: int | None = None  # set by start_web()

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    def tracker_bytes(self) -> bytes:
        """The tracker store's database as stored on disk, write-ahead log included."""
        files = [self.tracker_db, self.tracker_db.with_name("tracker.db-wal")]
        return b"".join(path.read_bytes() for path in files if path.exists())

    @property
    def database_url(self) -> str:
        """The backend database the actions write to (read it with `sportello outbox`)."""
        return f"sqlite:///{self.workdir / 'sportello.db'}"

    def sportello(self, *args: str) -> str:
        """Runs the `sportello` CLI on this stack's backend database; returns its output."""
        command = [str(Path(sys.executable).with_name("sportello")), *args]
        env = {**os.environ, "DATABASE_URL": self.database_url}
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout

    def start(self) -> Stack:
        """Launches both servers and waits until Rasa answers and the actions are loaded."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        endpoints = self.workdir / "endpoints.yml"
        config = (ROOT / "endpoints.yml").read_text()
        config = config.replace("127.0.0.1:5055", f"127.0.0.1:{self.actions_port}")
        if self.stock_tracker_store:
            config = config.replace(
                "type: bot.rasa_plugins.tracker_store.SportelloTrackerStore",
                f"type: sql\n  dialect: sqlite\n  db: {self.tracker_db}",
            )
        endpoints.write_text(config)
        env = {
            **rasa_env(),
            "TRACKER_STORE_URL": f"sqlite:///{self.tracker_db}",
            "DATABASE_URL": self.database_url,
        }
        self.sportello("db", "upgrade")
        if self.workers > 1:
            env |= {"SANIC_WORKERS": str(self.workers), "REDIS_URL": self.redis_url}
        self._launch(
            "actions",
            [
                sys.executable,
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(self.actions_port),
            ],
            env,
        )
        self._launch(
            "rasa",
            [
                str(RASA),
                "run",
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--enable-api",
            ],
            env,
        )
        self._wait_ready()
        return self

    def start_web(self, **env: str) -> str:
        """Also starts the web app (widget, chat API, uploads, console); returns its URL."""
        self.web_port = free_port()
        web_env = {
            **os.environ,
            "RASA_URL": self.rasa_url,
            "DATABASE_URL": self.database_url,
            "TRACKER_STORE_URL": f"sqlite:///{self.tracker_db}",
            **env,
        }
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "bot.channels.web.app:app",
            "--host",
            "127.0.0.1",
        ]
        self._launch("web", [*command, "--port", str(self.web_port)], web_env)
        deadline = time.monotonic() + 30
        while True:
            if self.processes["web"].poll() is not None:
                raise RuntimeError(f"web exited; see {self.workdir / 'web.log'}")
            try:
                if httpx.get(self.web_url, timeout=2).status_code == 200:
                    return self.web_url
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the web app is not ready after 30s")
            time.sleep(0.2)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def stop(self) -> None:
        """Stops both servers (SIGTERM, then SIGKILL after a grace period)."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def _launch(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = (self.workdir / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        checks = {
            "rasa": f"{self.rasa_url}/status",
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
        }
        while checks:
            for name, url in list(checks.items()):
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited; see {self.workdir / (name + '.log')}")
                try:
                    if httpx.get(url, timeout=2).status_code == 200:
                        del checks[name]
                except httpx.TransportError:
                    pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {READY_TIMEOUT}s: {sorted(checks)}")
            time.sleep(0.3)


def say(
    client: httpx.Client, rasa_url: str, sender: str, text: str, metadata: dict | None = None
) -> list[dict]:
    """Sends one message over the REST channel and returns the bot's replies.

    ``metadata`` is what a channel adds, e.g. ``{"documento": reference}`` for an upload.
    """
    body = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    response = client.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


class Chat:
    """One conversation over the REST channel: call it with a message, get the bot's replies."""

    def __init__(self, client: httpx.Client, rasa_url: str):
        self.client, self.rasa_url = client, rasa_url
        self.sender = f"e2e-{uuid.uuid4()}"

    def __call__(self, text: str) -> list[dict]:
        return say(self.client, self.rasa_url, self.sender, text)

    def new_session(self) -> None:
        """What Rasa does after 30 idle minutes: it runs `action_session_start`."""
        url = f"{self.rasa_url}/conversations/{self.sender}/execute"
        self.client.post(url, json={"name": "action_session_start"}).raise_for_status()


class TextChat:
    """One conversation over the REST channel that answers with what the bot said, as text."""

    def __init__(self, client: httpx.Client, rasa_url: str):
        self.client, self.url, self.sender = client, rasa_url, f"e2e-{uuid.uuid4()}"

    def __call__(self, text: str, metadata: dict | None = None) -> str:
        return said(say(self.client, self.url, self.sender, text, metadata))

    def login(self, customer) -> None:
        self("voglio accedere")
        self(customer.email)
        assert "Accesso effettuato" in self(customer.password)


def texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if "text" in reply]


def said(replies: list[dict]) -> str:
    """Everything the bot said in one turn, as one string."""
    return " ".join(texts(replies))
