"""Two Rasa servers, two action servers and two web apps behind HAProxy on free ports, with the
PostgreSQL tracker store and backend (fresh schemas of TEST_POSTGRES_URL's database) and the
Redis lock store (TEST_REDIS_URL): the Kubernetes base's topology on one machine.

HAProxy's Rasa frontend is deploy/k8s's rasa-router configuration itself, with the pods'
DNS template replaced by the local servers: the routing under test is the deployed one.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from backend import db
from tests.support import ROOT
from tests.support.loopback import free_port
from tests.support.processes import spawn, terminate, wait_ready
from tests.support.services import REDIS_URL, postgres_url_for_rasa
from tests.support.stack import MODEL, RASA, rasa_env

ROUTER = ROOT / "deploy" / "k8s" / "rasa-router-config.yaml"
READY_TIMEOUT = 300.0
REPLICAS = 2
# Argon2 at its cheapest: the run measures routing and recovery, not password hashing.
CHEAP_HASHING = {"ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "8", "ARGON2_PARALLELISM": "1"}


def router_config(rasa_port: int, stats_port: int, servers: list[int]) -> str:
    """deploy/k8s's rasa-router configuration on loopback: local binds, static servers."""
    config = yaml.safe_load(ROUTER.read_text())["data"]["haproxy.cfg"]
    config = re.sub(r"\nresolvers kube\n(    .*\n)+", "\n", config)
    local = [f"    server rasa{n} 127.0.0.1:{port}" for n, port in enumerate(servers, 1)]
    replaced = {
        "    bind :5005": f"    bind 127.0.0.1:{rasa_port}",
        "    bind :8404": f"    bind 127.0.0.1:{stats_port}",
        "    log stdout format raw local0": "    log stdout format raw local0 notice",
        " resolvers kube init-addr none": "",
        "    server-template rasa 12 rasa:5005": "\n".join(local),
    }
    for old, new in replaced.items():
        assert old in config, f"rasa-router's configuration changed: {old!r} not found"
        config = config.replace(old, new)
    return config


def balanced(name: str, port: int, servers: list[int], check: str) -> str:
    """A round-robin frontend and backend (action servers, web apps)."""
    lines = [
        f"frontend {name}",
        f"    bind 127.0.0.1:{port}",
        f"    default_backend {name}",
        f"backend {name}",
        "    balance roundrobin",
        f"    option httpchk GET {check}",
        "    default-server check inter 2s fall 3 rise 2",
        *(f"    server {name}{n} 127.0.0.1:{p}" for n, p in enumerate(servers, 1)),
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Cluster:
    workdir: Path
    backend_url: str  # the app's driver, the backend's schema on the search path
    tracker_schema: str
    replicas: int = REPLICAS
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self) -> Cluster:
        self.workdir.mkdir(parents=True, exist_ok=True)
        engine = db.make_engine(self.backend_url)
        db.upgrade(engine)
        engine.dispose()
        for name in ("rasa-router", "stats", "actions", "web"):
            self.ports[name] = free_port()
        for kind in ("rasa", "actions", "web"):
            for n in range(1, self.replicas + 1):
                self.ports[f"{kind}{n}"] = free_port()
        self._haproxy()
        env = {
            **os.environ,
            **CHEAP_HASHING,
            "SPORTELLO_ENV": "development",
            "DATABASE_URL": self.backend_url,
            "TRACKER_STORE_URL": postgres_url_for_rasa(),
            "POSTGRESQL_SCHEMA": self.tracker_schema,  # Rasa's own setting
            "REDIS_URL": REDIS_URL,
            "RASA_URL": self.url("rasa-router"),
        }
        ready = {}
        for n in range(1, self.replicas + 1):
            port = self.ports[f"actions{n}"]
            command = [sys.executable, "-m", "actions.server", "--actions", "actions"]
            self._launch(f"actions{n}", [*command, "--port", str(port)], env)
            ready[f"actions{n}"] = f"http://127.0.0.1:{port}/readyz"
            port = self.ports[f"rasa{n}"]
            self._launch(f"rasa{n}", self._rasa_command(port), {**rasa_env(), **env})
            ready[f"rasa{n}"] = f"http://127.0.0.1:{port}/"
        self._wait(ready)
        for n in range(1, self.replicas + 1):
            port = self.ports[f"web{n}"]
            server = ["-m", "uvicorn", "bot.channels.web.app:app", "--no-access-log"]
            self._launch(f"web{n}", [sys.executable, *server, "--port", str(port)], env)
            ready[f"web{n}"] = f"http://127.0.0.1:{port}/readyz"
        self._wait({name: url for name, url in ready.items() if name.startswith("web")})
        self._wait({"haproxy": f"{self.url('web')}/readyz", "rasa": f"{self.url('rasa-router')}/"})
        return self

    def kill(self, name: str) -> None:
        """SIGKILL: a crash, not a shutdown (no request in flight is finished)."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def stop(self) -> None:
        terminate(*self.processes.values())

    def _haproxy(self) -> None:
        servers = {
            kind: [self.ports[f"{kind}{n}"] for n in range(1, self.replicas + 1)]
            for kind in ("rasa", "actions", "web")
        }
        config = router_config(self.ports["rasa-router"], self.ports["stats"], servers["rasa"])
        config += balanced("actions", self.ports["actions"], servers["actions"], "/healthz")
        config += balanced("web", self.ports["web"], servers["web"], "/healthz")
        path = self.workdir / "haproxy.cfg"
        path.write_text(config)
        subprocess.run(["haproxy", "-c", "-q", "-f", str(path)], check=True)
        self._launch("haproxy", ["haproxy", "-db", "-f", str(path)], dict(os.environ))

    def _rasa_command(self, port: int) -> list[str]:
        endpoints = self.workdir / "endpoints.yml"
        action_server = f"{self.url('actions')}/webhook"
        endpoints.write_text(
            (ROOT / "endpoints.yml")
            .read_text()
            .replace("http://127.0.0.1:5055/webhook", action_server)
        )
        return [
            str(RASA), "run", "--model", str(MODEL), "--endpoints", str(endpoints),
            "--credentials", str(ROOT / "credentials.yml"),
            "--interface", "127.0.0.1", "--port", str(port), "--enable-api",
        ]  # fmt: skip

    def _launch(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.processes[name] = spawn(command, env, self.workdir / f"{name}.log")

    def _wait(self, checks: dict[str, str]) -> None:
        wait_ready(checks, self.processes, self.workdir, READY_TIMEOUT)
