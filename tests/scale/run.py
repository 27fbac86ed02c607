"""`make test-scale`: ≥ 100 concurrent conversations (FAQ answers, complete registrations,
logins) on two of each server behind HAProxy; one Rasa server and one action server are
killed (SIGKILL) a third of the way in. Then it checks, from the stores themselves:

- every conversation went on to its end;
- no message lost (every message a customer sent is in the tracker) or handled twice (no
  message's id is in the tracker twice);
- no SMS or e-mail queued twice for one registration;
- the console's index lists every conversation once.

A customer whose message got no answer because its server died does what the web app does
with a retried message id: asks the tracker whether it was handled, and sends it again only
when it was not. A reply that shows the bot lost the step (an action server died under it)
is answered again, like a person repeating themselves: counted in the table, not hidden.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import sqlalchemy as sa

from backend import outbox
from backend.bootstrap import unit_of_work
from backend.db import make_engine
from backend.settings import Settings
from console.conversations import ConversationIndex, Filters
from tests.bench.stack import resident_mb
from tests.scale.cluster import Cluster
from tests.support import ROOT
from tests.support.customers import add_customer, new_identity
from tests.support.portal_data import last_code
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema

ID_KEY = "scale_id"  # metadata each message carries: how the tracker is checked
FAQ = [
    "come faccio a registrarmi al portale?",
    "ho dimenticato la password",
    "quanto dura il codice otp?",
    "qual è il numero verde?",
    "che browser devo usare",
    "come attivo una delega",
]
REPEATS = 3  # a step's answer is asked for at most this many times
SCRATCH = ROOT / "var" / "scale"  # HAProxy's configuration and every process's log


@dataclass
class Conversation:
    kind: str
    sender: str = field(default_factory=lambda: f"scale-{uuid.uuid4().hex[:16]}")
    sent: list[str] = field(default_factory=list)  # ids the customer saw answered
    latencies: list[float] = field(default_factory=list)
    resent: int = 0  # not in the tracker after a failure: sent again
    recovered: int = 0  # in the tracker after a failure: the answer read back from it
    repeated: int = 0  # the bot lost the step (its action failed): said again
    completed: bool = False
    failure: str = ""
    recipients: tuple[str, ...] = ()


# Every process's, and the driver's own code reads (a handful).
CONNECTIONS = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"


class Peaks:
    """The most PostgreSQL connections and memory (MB) per process seen during the run."""

    def __init__(self):
        self.connections = 0
        self.memory: dict[str, float] = {}
        self.engine = make_engine(POSTGRES_URL)

    def sample(self, cluster: Cluster) -> None:
        with self.engine.connect() as db:
            count = db.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            )
        self.connections = max(self.connections, count - 1)  # not this one
        for name, process in cluster.processes.items():
            if process.poll() is None:
                mb = resident_mb(process.pid)
                self.memory[name] = max(self.memory.get(name, 0), mb)

    def lines(self) -> list[str]:
        memory = ", ".join(f"{name} {mb:.0f}" for name, mb in sorted(self.memory.items()))
        return [f"peak PostgreSQL connections: {self.connections}", f"peak memory (MB): {memory}"]


class Driver:
    def __init__(self, cluster: Cluster, client: httpx.AsyncClient):
        self.cluster, self.client = cluster, client
        self.rasa = cluster.url("rasa-router")
        self.uow = lambda: unit_of_work(Settings(database_url=cluster.backend_url))
        self.answered = 0
        self.failures: Counter[str] = Counter()  # why a message went unanswered

    async def events(self, sender: str) -> list[dict]:
        url = f"{self.rasa}/conversations/{sender}/tracker"
        for _ in range(30):
            try:
                response = await self.client.get(url)
                if response.status_code == 200:
                    return response.json()["events"]
            except httpx.TransportError:
                pass
            await asyncio.sleep(1)
        raise RuntimeError(f"tracker of {sender} unreadable")

    async def send(self, talk: Conversation, text: str) -> str:
        """One message, answered exactly once; the bot's text."""
        message_id = f"{talk.sender}-{len(talk.sent) + talk.resent}"
        body = {"sender": talk.sender, "message": text, "metadata": {ID_KEY: message_id}}
        for _ in range(10):
            started = time.perf_counter()
            try:
                response = await self.client.post(f"{self.rasa}/webhooks/rest/webhook", json=body)
                if response.status_code == 200:
                    talk.latencies.append(time.perf_counter() - started)
                    talk.sent.append(message_id)
                    self.answered += 1
                    return " ".join(reply.get("text", "") for reply in response.json())
                self.failures[f"HTTP {response.status_code}"] += 1
            except httpx.TransportError as error:
                self.failures[type(error).__name__] += 1
            handled = await self.handled(talk.sender, message_id)
            if handled is not None:
                talk.recovered += 1
                talk.sent.append(message_id)
                return handled
            talk.resent += 1
            await asyncio.sleep(1)
        raise RuntimeError(f"{talk.sender}: no answer after 10 tries")

    async def handled(self, sender: str, message_id: str) -> str | None:
        """The bot's answer to a message the tracker holds, else None."""
        events = await self.events(sender)
        for n, event in enumerate(events):
            if event["event"] == "user" and (event.get("metadata") or {}).get(ID_KEY) == message_id:
                after = []
                for later in events[n + 1 :]:
                    if later["event"] == "user":
                        break
                    if later["event"] == "bot":
                        after.append(later.get("text") or "")
                return " ".join(after)
        return None

    async def step(self, talk: Conversation, text: str, expected: str) -> str:
        for _ in range(REPEATS):
            reply = await self.send(talk, text)
            if expected.lower() in reply.lower():
                return reply
            talk.repeated += 1
        raise AssertionError(f"{talk.kind} {talk.sender}: {expected!r} not in {reply!r}")

    async def faq(self, talk: Conversation, offset: int) -> None:
        for n in range(4):
            reply = await self.send(talk, FAQ[(offset + n) % len(FAQ)])
            assert reply.strip(), "no answer to an FAQ"

    async def registration(self, talk: Conversation) -> None:
        person = new_identity("scale")
        talk.recipients = (person.email, person.mobile)
        mobile = person.mobile.removeprefix("+39")
        steps = [
            ("buongiorno, come mi registro al portale?", "Vuoi che ti registri io"),
            ("sì grazie", "persona fisica o come azienda"),
            ("sono un privato", "Come ti chiami"),
            ("mi chiamo Anna Maria De Santis", "Codice Fiscale"),
            (f"il mio cf è {person.fiscal_code.lower()}", "sarà la tua username"),
            (f"la mia mail è {person.email}", "numero di cellulare"),
            (f"{mobile[:3]} {mobile[3:]}", f"termina con …{mobile[-2:]}"),
        ]
        for text, expected in steps:
            await self.step(talk, text, expected)
        await self.step(talk, self.code(person.mobile), "Cellulare verificato")
        await self.step(talk, self.code(person.email), "clausole legali")
        await self.step(talk, "accetto", "password")
        await self.step(talk, "Sportello#2024", "Registrazione completata")

    async def login(self, talk: Conversation, customer) -> None:
        await self.step(talk, "voglio accedere", "Scrivi l'e-mail")
        await self.step(talk, customer.email, "Ora scrivi la password")
        await self.step(talk, customer.password, "Accesso effettuato")
        reply = await self.send(talk, FAQ[1])
        assert reply.strip()

    def code(self, recipient: str) -> str:
        return last_code(self.uow(), recipient)

    async def run(self, talk: Conversation, script) -> None:
        try:
            await script
            talk.completed = True
        except Exception as error:  # reported per conversation, the run goes on
            talk.failure = f"{type(error).__name__}: {error}"[:300]


async def drive(
    cluster: Cluster, plan: dict[str, int], kill_share: float
) -> tuple[list[Conversation], Peaks]:
    customers = [add_customer(cluster.backend_url) for _ in range(plan["login"])]
    limits = httpx.Limits(max_connections=sum(plan.values()) + 10)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        driver = Driver(cluster, client)
        talks, runs = [], []
        for kind, count in plan.items():
            for n in range(count):
                talk = Conversation(kind)
                script = {
                    "faq": lambda t=talk, n=n: driver.faq(t, n),
                    "registration": lambda t=talk: driver.registration(t),
                    "login": lambda t=talk, n=n: driver.login(t, customers[n]),
                }[kind]()
                talks.append(talk)
                runs.append(driver.run(talk, script))
        planned = 4 * plan["faq"] + 11 * plan["registration"] + 4 * plan["login"]

        async def sampler() -> None:
            """Peak PostgreSQL connections and resident memory per process while it runs."""
            while not done.is_set():
                peaks.sample(cluster)
                await asyncio.sleep(1)

        async def killer() -> None:
            while driver.answered < kill_share * planned:
                await asyncio.sleep(0.2)
            cluster.kill("rasa1")
            cluster.kill("actions2")
            print(f"killed rasa1 and actions2 after {driver.answered} answers", flush=True)

        done, peaks = asyncio.Event(), Peaks()
        watching = asyncio.create_task(sampler())
        await asyncio.gather(killer(), *runs)
        done.set()
        await watching
    print(f"unanswered messages, by reason: {dict(driver.failures)}")
    return talks, peaks


def tracker_counts(cluster: Cluster, talks: list[Conversation]) -> tuple[int, int, int]:
    """(lost, duplicated, stored) over every conversation, from the tracker store."""
    lost = duplicated = stored = 0

    async def read() -> list[list[dict]]:
        async with httpx.AsyncClient(timeout=60) as client:
            driver = Driver(cluster, client)
            return await asyncio.gather(*(driver.events(t.sender) for t in talks))

    for talk, events in zip(talks, asyncio.run(read()), strict=True):
        ids = Counter(
            (event.get("metadata") or {}).get(ID_KEY)
            for event in events
            if event["event"] == "user"
        )
        stored += sum(ids.values())
        lost += sum(1 for message_id in talk.sent if message_id not in ids)
        duplicated += sum(count - 1 for count in ids.values() if count > 1)
    return lost, duplicated, stored


def outbox_duplicates(cluster: Cluster, talks: list[Conversation]) -> int:
    """Messages queued twice for one registration: the same subject to the same recipient."""
    uow = unit_of_work(Settings(database_url=cluster.backend_url))
    twice = 0
    for talk in talks:
        for recipient in talk.recipients:
            kinds = Counter(
                m.subject or m.channel for m in outbox.list_messages(uow, recipient.lower())
            )
            twice += sum(count - 1 for count in kinds.values() if count > 1)
    return twice


def console_sees(cluster: Cluster, tracker_url: str, talks: list[Conversation]) -> tuple[int, int]:
    """(conversations listed once, listed more than once) in the staff console's index."""
    index = ConversationIndex(tracker_url)
    index.catch_up()
    listed = Counter(row.sender_id for row in index.search(Filters(), per_page=10_000).items)
    index.engine.dispose()
    once = sum(1 for t in talks if listed[t.sender] == 1)
    return once, sum(1 for t in talks if listed[t.sender] > 1)


def web_smoke(cluster: Cluster) -> str:
    """The web tier behind HAProxy: ready on both apps, one chat message answered."""
    url = cluster.url("web")
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
    body = {"sender": f"web-{uuid.uuid4().hex[:12]}", "id": uuid.uuid4().hex, "message": "ciao"}
    answer = httpx.post(f"{url}/api/chat", json=body, timeout=60)
    assert answer.status_code == 200 and answer.json(), answer.text
    return "ok"


def table(talks: list[Conversation]) -> list[str]:
    lines = [
        "| conversations | completed | messages | resent | read back | repeated | p50 | p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("faq", "registration", "login", "all"):
        group = [t for t in talks if kind in ("all", t.kind)]
        latencies = sorted(x for t in group for x in t.latencies)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0
        lines.append(
            f"| {kind} {len(group)} | {sum(t.completed for t in group)} "
            f"| {sum(len(t.sent) for t in group)} | {sum(t.resent for t in group)} "
            f"| {sum(t.recovered for t in group)} | {sum(t.repeated for t in group)} "
            f"| {statistics.median(latencies or [0]):.2f} s | {p95:.2f} s |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--kill-at", type=float, default=0.33, help="share of answers")
    args = parser.parse_args()
    os.environ.setdefault("SPORTELLO_ENV", "development")  # the default keys, as make run
    total = args.conversations
    plan = {"registration": total * 2 // 5, "login": total * 3 // 10}
    plan["faq"] = total - sum(plan.values())
    with (
        postgres_schema("scale_backend") as backend,
        postgres_schema("scale_tracker") as tracker,
    ):
        shutil.rmtree(SCRATCH, ignore_errors=True)
        cluster = Cluster(SCRATCH, in_schema(POSTGRES_URL, backend), tracker)
        try:
            started = time.monotonic()
            cluster.start()
            print(f"cluster ready in {time.monotonic() - started:.0f} s", flush=True)
            started = time.monotonic()
            talks, peaks = asyncio.run(drive(cluster, plan, args.kill_at))
            elapsed = time.monotonic() - started
            lost, duplicated, stored = tracker_counts(cluster, talks)
            twice = outbox_duplicates(cluster, talks)
            once, many = console_sees(cluster, in_schema(POSTGRES_URL, tracker), talks)
            web = web_smoke(cluster)
        except BaseException:
            print(f"logs in {SCRATCH}", flush=True)
            raise
        finally:
            cluster.stop()
    completed = sum(t.completed for t in talks)
    print("\n".join(table(talks)))
    print(
        f"\n{sum(len(t.sent) for t in talks)} messages in {elapsed:.0f} s; {stored} in the tracker"
    )
    print(f"SMS/e-mails queued twice: {twice}; console index: {once} listed once, {many} more")
    print(f"web tier behind HAProxy: {web}")
    print("\n".join(peaks.lines()))
    for talk in talks:
        if talk.failure:
            print(f"  {talk.kind} {talk.sender}: {talk.failure}")
    print(f"lost {lost}, duplicated {duplicated}, conversations {completed}/{len(talks)} completed")
    ok = lost == duplicated == twice == many == 0 and completed == once == len(talks)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
