"""Service round trips per second on SQLite and PostgreSQL, and the cost of one password check.

A round trip is what a new customer does through the services: start the registration,
verify the mobile and the e-mail with the codes from the outbox, accept the clauses, set
the password, log in. Run: ``make bench`` (or ``.venv/bin/python -m tests.bench.backend``).
"""

import statistics
import sys
import tempfile
import time
import uuid

from sqlalchemy import text
from stdnum.it import codicefiscale

from backend import accounts, audit, db, sms_budget
from backend.passwords import hash_password, verify_password
from backend.settings import Settings
from backend.uow import SqlAlchemyUnitOfWork
from tests.support.portal_data import last_code
from tests.support.services import POSTGRES_URL

PRODUCTION = Settings()
FAST = Settings(argon2_time_cost=1, argon2_memory_kib=8, argon2_parallelism=1)


def fiscal_code(i: int) -> str:
    body = f"RSSMRA85T10{'ABCDEFGHIL'[i // 1000 % 10]}{i % 1000:03d}"
    return body + codicefiscale.calc_check_digit(body)


def round_trip(session_factory, settings: Settings, i: int) -> None:
    def uow():
        return SqlAlchemyUnitOfWork(session_factory, settings=settings)

    email = f"bench{i}-{uuid.uuid4().hex[:6]}@example.it"
    mobile = f"+39333{i % 10**7:07d}"  # one each: a number receives 3 SMS an hour
    account_id = accounts.start_registration(
        uow(),
        client=f"bench-{i}",  # one each: a client starts 3 SMS flows an hour
        fiscal_id=fiscal_code(i),
        email=email,
        mobile=mobile,
        first_name="Mario",
        last_name="Rossi",
    )
    accounts.verify_mobile(uow(), account_id, last_code(uow(), mobile))
    accounts.verify_email(uow(), account_id, last_code(uow(), email))
    accounts.accept_clauses(uow(), account_id)
    accounts.set_password(uow(), account_id, "Sportello#1")
    accounts.login(uow(), email, "Sportello#1")


def measure(engine, settings: Settings, n: int, offset: int) -> float:
    session_factory = db.make_session_factory(engine)
    start = time.perf_counter()
    for i in range(n):
        round_trip(session_factory, settings, offset + i)
    return n / (time.perf_counter() - start)


def sqlite_engine(directory: str):
    engine = db.make_engine(f"sqlite:///{directory}/bench.db")
    db.upgrade(engine)
    return engine


def postgres_engine(schema: str):
    admin = db.make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    engine = db.make_engine(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
    db.upgrade(engine)
    return engine


def drop_schema(schema: str) -> None:
    admin = db.make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def sms_budget_ms(engine, runs: int = 200) -> tuple[float, float]:
    """Medians (ms) of a unit of work writing one audit row and committing, and of the same
    with one SMS through the budget (the lock, three counts, the entry), interleaved, over a
    ledger that fills up to ``runs`` entries of the hour."""
    session_factory = db.make_session_factory(engine)
    settings = Settings(sms_hourly_budget=10 * runs)
    plain, budget = [], []
    for i in range(runs):
        for timings, spend in ((plain, False), (budget, True)):
            uow = SqlAlchemyUnitOfWork(session_factory, settings=settings)
            start = time.perf_counter()
            with uow:
                audit.record(uow, "bench")
                if spend:
                    to, client = f"+39347{i:07d}", f"c{i}"
                    sms_budget.spend(uow, to, client=client, flow="bench", opens_flow=True)
                uow.commit()
            timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(plain), statistics.median(budget)


def password_verification_ms(settings: Settings, runs: int = 15) -> float:
    password_hash = hash_password(settings, "Sportello#1")
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        verify_password(settings, password_hash, "Sportello#1")
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> int:
    rows, budget_ms = [], {}
    schema = f"sportello_bench_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as directory:
        engines = {"SQLite": sqlite_engine(directory)}
        try:
            engines["PostgreSQL"] = postgres_engine(schema)
            offset = 0
            for name, engine in engines.items():
                for label, settings, n in (("minimal", FAST, 40), ("production", PRODUCTION, 6)):
                    rows.append((name, label, n, measure(engine, settings, n, offset)))
                    offset += n
                budget_ms[name] = sms_budget_ms(engine)
        finally:
            for engine in engines.values():
                engine.dispose()
            drop_schema(schema)
    print(f"{'database':<12}{'argon2':<12}{'round trips':>12}{'ops/s':>10}")
    for name, label, n, rate in rows:
        print(f"{name:<12}{label:<12}{n:>12}{rate:>10.1f}")
    print("\nunit of work with one row, median: without / with one SMS through the budget")
    for name, (plain, budget) in budget_ms.items():
        print(f"{name:<12}{plain:>8.1f} ms{budget:>8.1f} ms")
    p = PRODUCTION
    print(
        f"\nargon2id time_cost={p.argon2_time_cost} memory={p.argon2_memory_kib} KiB "
        f"parallelism={p.argon2_parallelism}: one verification "
        f"{password_verification_ms(p):.0f} ms (median)"
    )
    print(
        "round trip = register + verify SMS code + verify e-mail code + clauses + "
        "password + login; 'minimal' argon2 isolates the service and database cost"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
