"""The real Rasa server, action server and web app on free ports, for the suites over a channel
(e2e, browser, Telegram), the benchmarks and the developer tools."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from backend import db, outbox
from backend.bootstrap import unit_of_work
from backend.entities import OutboxMessage
from backend.settings import Settings
from backend.uow import AbstractUnitOfWork
from tests.support import ROOT
from tests.support.loopback import free_port
from tests.support.portal_data import last_code
from tests.support.processes import spawn, terminate, wait_ready
from tests.support.services import REDIS_URL

RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "sportello.tar.gz"
READY_TIMEOUT = 180.0
# What makes a subprocess measure its coverage (coverage's `patch = ["subprocess"]`).
COVERAGE_VARIABLES = ("COVERAGE_PROCESS_CONFIG", "COVERAGE_PROCESS_START")


def rasa_env() -> dict[str, str]:
    """The environment for Rasa commands: our plugins importable from the checkout; not
    measured (tests/rasa_plugins measures the plugins, and tracing Rasa slows its start)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in COVERAGE_VARIABLES:
        env.pop(name, None)
    return env


def rasa(*args: str) -> None:
    """Runs a Rasa CLI command in the Rasa environment, failing loudly."""
    subprocess.run([str(RASA), *args], cwd=ROOT, env=rasa_env(), check=True)


@dataclass
class Stack:
    """A Rasa server, an action server and, if asked, the web app, sharing a scratch directory
    (tracker database, backend database, logs)."""

    workdir: Path
    # "stock": Rasa's own SQLTrackerStore instead of ours, to compare long conversations.
    stock_tracker_store: bool = False
    # More than one Sanic worker shares conversation locks through this Redis.
    workers: int = 1
    redis_url: str = REDIS_URL
    # Environment every process gets on top of ours (e.g. the portal's key).
    env: dict[str, str] = field(default_factory=dict)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    # How each server was started and where it answers once ready: what `restart` needs.
    launched: dict[str, tuple[list[str], dict[str, str], str]] = field(default_factory=dict)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def tracker_db(self) -> Path:
        return self.workdir / "tracker.db"

    def tracker_holds(self, secret: str) -> bool:
        """Whether the tracker store's files on disk (write-ahead log included) hold ``secret``,
        not as a piece of a longer number: the NLU's confidences stored with every message
        hold most six-digit codes by chance once a few hundred conversations are in."""
        files = [self.tracker_db, self.tracker_db.with_name("tracker.db-wal")]
        stored = b"".join(path.read_bytes() for path in files if path.exists())
        alone = rb"(?<![0-9.])" + re.escape(secret.encode()) + rb"(?![0-9])"
        return re.search(alone, stored) is not None

    @property
    def database_url(self) -> str:
        """The backend database the actions write to (read it with `sportello outbox`)."""
        return f"sqlite:///{self.workdir / 'sportello.db'}"

    def sportello(self, *args: str) -> str:
        """Runs the `sportello` CLI on this stack's backend database; returns its output."""
        command = [str(Path(sys.executable).with_name("sportello")), *args]
        env = {**os.environ, **self.env, "DATABASE_URL": self.database_url}
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout

    def unit_of_work(self) -> AbstractUnitOfWork:
        """A unit of work on the backend database the actions write to."""
        return unit_of_work(Settings(database_url=self.database_url))

    def messages_to(self, recipient: str) -> list[OutboxMessage]:
        """The e-mails or SMS the backend sent to an address or a number (as stored: e-mail in
        lower case, mobile as +39…), oldest first. Read in process: `sportello outbox`, which
        prints the same, takes ~2.5 s to start."""
        return outbox.list_messages(self.unit_of_work(), recipient)

    def code_for(self, recipient: str) -> str:
        """The code in the latest e-mail or SMS to a recipient, as the user would read it."""
        return last_code(self.unit_of_work(), recipient)

    def user_events(self, sender: str) -> list[dict]:
        """The user messages Rasa stored for a conversation (text, metadata), oldest first."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker"
        events = httpx.get(url, timeout=30).json()["events"]
        return [event for event in events if event["event"] == "user"]

    def start(self, web: bool = False) -> Stack:
        """Launches the action server, Rasa and, with ``web``, the web app (widget, chat API,
        uploads, console); waits until each of them answers."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._migrate()
        shared = {
            "TRACKER_STORE_URL": f"sqlite:///{self.tracker_db}",
            "DATABASE_URL": self.database_url,
            **self.env,
        }
        if self.workers > 1:
            shared |= {"SANIC_WORKERS": str(self.workers), "REDIS_URL": self.redis_url}
        python = {**os.environ, **shared}
        actions = ["-m", "rasa_sdk", "--actions", "actions", "--port", str(self.actions_port)]
        self._launch("actions", [sys.executable, *actions], python)
        self._launch("rasa", self._rasa_command(), {**rasa_env(), **shared})
        ready = {
            "rasa": f"{self.rasa_url}/status",
            "actions": f"http://127.0.0.1:{self.actions_port}/health",
        }
        if web:
            server = ["-m", "uvicorn", "bot.channels.web.app:app", "--host", "127.0.0.1"]
            command = [sys.executable, *server, "--port", str(self.web_port)]
            # Its rate limits and renewed credentials on the real Redis.
            web_env = {**python, "RASA_URL": self.rasa_url, "REDIS_URL": self.redis_url}
            self._launch("web", command, web_env)
            ready["web"] = self.web_url
        for name, url in ready.items():
            command, env, _ = self.launched[name]
            self.launched[name] = (command, env, url)
        self._wait_ready(ready)
        return self

    def restart(self, name: str) -> None:
        """Starts a server that was stopped again, as before, and waits until it answers."""
        command, env, url = self.launched[name]
        self._launch(name, command, env)
        self._wait_ready({name: url})

    def stop(self) -> None:
        """Stops every server (SIGTERM, then SIGKILL after a grace period)."""
        terminate(*self.processes.values())

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def _migrate(self) -> None:
        """`sportello db upgrade`, in process (the CLI takes ~2.5 s to start)."""
        engine = db.make_engine(self.database_url)
        db.upgrade(engine)
        engine.dispose()

    def _rasa_command(self) -> list[str]:
        endpoints = self.workdir / "endpoints.yml"
        config = (ROOT / "endpoints.yml").read_text()
        config = config.replace("127.0.0.1:5055", f"127.0.0.1:{self.actions_port}")
        if self.stock_tracker_store:
            config = config.replace(
                "type: bot.rasa_plugins.tracker_store.SportelloTrackerStore",
                f"type: sql\n  dialect: sqlite\n  db: {self.tracker_db}",
            )
        endpoints.write_text(config)
        return [
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
        ]

    def _launch(self, name: str, command: list[str], env: dict[str, str]) -> None:
        ready_url = self.launched[name][2] if name in self.launched else ""
        self.launched[name] = (command, env, ready_url)
        self.processes[name] = spawn(command, env, self.workdir / f"{name}.log")

    def _wait_ready(self, checks: dict[str, str]) -> None:
        wait_ready(checks, self.processes, self.workdir, READY_TIMEOUT)
