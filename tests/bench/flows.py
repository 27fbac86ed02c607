"""`make bench`, flows: complete registrations over REST, and the latency of form steps.

Starts its own Rasa and action servers, then runs whole registrations (10 messages each, the
codes read from the outbox) at concurrency 1 and 8. A "backend step" is a form step whose
action calls the backend (starting the registration, checking a code); the password step is
reported apart because it hashes the password on purpose slowly (argon2).

At concurrency 8 the users run twice: back to back (saturation: the registrations per minute
the stack can do) and pausing 1 s before each message, as a person reading and typing
would at the very least (the latency a user sees on a busy morning).
Prints a Markdown table, also written to reports/bench-flows.md.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from stdnum.it import codicefiscale

from backend.bootstrap import unit_of_work
from backend.settings import Settings
from tests.bench.stack import measures, percentile, publish
from tests.support.portal_data import last_code
from tests.support.stack import Stack

PASSWORD = "Sportello#2024"
_serial = itertools.count(1)


def new_person() -> tuple[str, str, str]:
    """A unique Codice Fiscale, e-mail and mobile for one registration."""
    n = next(_serial)
    letters = "".join(chr(ord("A") + (n // 26**i) % 26) for i in range(6))
    base = f"{letters}85M41F205"
    tag = uuid.uuid4().hex[:8]
    return base + codicefiscale.calc_check_digit(base), f"b.{tag}@example.it", f"+39347{n:07d}"


class Registration:
    """One user registering; records how long each kind of step took."""

    def __init__(
        self, client: httpx.AsyncClient, stack: Stack, timings: dict[str, list[float]], pause: float
    ):
        self.client, self.stack, self.timings, self.pause = client, stack, timings, pause
        self.sender = f"bench-{uuid.uuid4()}"

    async def say(self, text: str, kind: str = "other") -> str:
        await asyncio.sleep(self.pause)
        started = time.perf_counter()
        response = await self.client.post(
            f"{self.stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": self.sender, "message": text},
        )
        response.raise_for_status()
        self.timings[kind].append((time.perf_counter() - started) * 1000)
        return " ".join(m.get("text", "") for m in response.json())

    def code(self, recipient: str) -> str:
        return last_code(unit_of_work(Settings(database_url=self.stack.database_url)), recipient)

    async def run(self) -> None:
        fiscal_code, email, mobile = new_person()
        for text in ("voglio registrarmi", "persona fisica", "Anna Bianchi", fiscal_code, email):
            await self.say(text)
        await self.say(mobile, "backend")
        await self.say(self.code(mobile), "backend")
        await self.say(self.code(email), "backend")
        await self.say("accetto", "backend")
        reply = await self.say(PASSWORD, "password")
        assert "Registrazione completata" in reply, reply


async def registrations(
    stack: Stack, users: int, each: int, pause: float = 0.0
) -> tuple[float, dict]:
    """`users` concurrent users completing `each` registrations; returns per-minute rate."""
    timings: dict[str, list[float]] = {"other": [], "backend": [], "password": []}
    async with httpx.AsyncClient(timeout=60) as client:

        async def user() -> None:
            for _ in range(each):
                await Registration(client, stack, timings, pause).run()

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(users)))
        elapsed = time.perf_counter() - started
    return users * each / elapsed * 60, timings


def rows_for(
    users: int, pause: float, rate: float, timings: dict[str, list[float]]
) -> list[tuple[str, str, str]]:
    how = f"concurrency {users}, " + (f"{pause:.0f} s pause" if pause else "back to back")
    rows = [(f"complete registrations, {how}", f"{rate:.0f} per minute", "")]
    for kind, label in (
        ("backend", "form step calling the backend"),
        ("password", "password step (argon2)"),
    ):
        samples = timings[kind]
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        rows.append(
            (f"{label}, {how}", f"p50 {p50:.0f} ms, p95 {p95:.0f} ms", f"{len(samples)} steps")
        )
    return rows


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(Path(scratch)).start()
        try:
            asyncio.run(registrations(stack, 2, 1))  # warm-up
            for users, each, pause in ((1, 5, 0.0), (8, 3, 0.0), (8, 2, 1.0)):
                rate, timings = asyncio.run(registrations(stack, users, each, pause))
                rows += rows_for(users, pause, rate, timings)
        finally:
            stack.stop()
    publish(measures(rows), "bench-flows.md")


if __name__ == "__main__":
    main()
