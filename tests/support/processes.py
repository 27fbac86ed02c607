"""The servers a test starts as real processes (Rasa, actions, web app, Telegram bridge)."""

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

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


def wait_ready(
    checks: dict[str, str], processes: dict[str, subprocess.Popen], logs: Path, timeout: float
) -> None:
    """Waits until each named server answers 200 at its URL; fails at once when one exits
    (its log is ``logs/<name>.log``), and after ``timeout`` seconds for the rest."""
    checks, deadline = dict(checks), time.monotonic() + timeout
    while checks:
        for name, url in list(checks.items()):
            process = processes.get(name)
            if process and process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {logs / (name + '.log')}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    del checks[name]
            except httpx.TransportError:
                pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"not ready after {timeout}s: {sorted(checks)}")
        time.sleep(0.3)
