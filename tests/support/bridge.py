"""Runs the Telegram bridge as `sportello telegram` does in production: a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.fake_bot_api import FakeBotApi
from tests.support.processes import spawn, terminate


@dataclass
class BridgeProcess:
    """`sportello telegram` against a fake Bot API, its output in ``log_path``."""

    fake: FakeBotApi
    rasa_url: str
    database_url: str
    log_path: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    def start(self, ready: str = "polling") -> BridgeProcess:
        """Starts the bridge; waits until it polls (or registered its webhook)."""
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": self.fake.token,
            "TELEGRAM_API_BASE_URL": self.fake.base_url,
            "RASA_URL": self.rasa_url,
            "DATABASE_URL": self.database_url,
            **self.extra_env,
        }
        command = [str(Path(sys.executable).with_name("sportello")), "telegram"]
        self.process = spawn(command, env, self.log_path)
        polls = self.fake.polls
        try:
            if ready == "polling":
                self.fake.wait_for(lambda: self.fake.polls > polls or self._exited(), 60)
            else:
                self.fake.wait_for(lambda: self.fake.calls_to("setWebhook") or self._exited(), 60)
        finally:
            if self._exited():
                raise RuntimeError(f"the bridge exited:\n{self.log()}")
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process, grace=20)

    def _exited(self) -> bool:
        return self.process.poll() is not None
