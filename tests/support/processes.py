"""The servers a test starts as real processes (Rasa, actions, web app, Telegram bridge)."""

import os
import signal
import subprocess
from pathlib import Path

from tests.support import ROOT


def spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Starts ``command`` from the checkout in a process group of its own, output in ``log``."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def terminate(*processes: subprocess.Popen, grace: float = 15) -> None:
    """SIGTERM to each process group (the servers shut down cleanly and write their coverage
    data), SIGKILL to those still running after ``grace`` seconds."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
