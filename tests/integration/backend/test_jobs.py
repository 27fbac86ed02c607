"""The scheduler's jobs on both databases: each job's effect, its idempotence, the lease that
keeps two schedulers from running a job together, the expiry e-mails delivered over a real
SMTP server on loopback, the erasure of a deleted account's transcripts and the retention."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_dispatch import Inbox, smtp_server

from backend import accounts, delegations, documents, jobs, ratings, staff, training
from backend.clock import ManualClock, utcnow
from backend.dispatch import Dispatcher, SmtpSender
from backend.entities import (
    JobLease,
    OutboxMessage,
    StaffLoginAttempts,
    StaffSessionRecord,
    TrainingMark,
    TranscriptErasure,
    VerificationCode,
)
from console.conversation_tables import CONVERSATIONS, EVENTS, MESSAGES
from console.conversations import ConversationIndex
from tests.support.conversations import Script, write
from tests.support.loopback import free_port
from tests.support.portal_data import uploaded
from tests.support.registration import PASSWORD, register
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema
from tests.support.settings import fast_settings

GIULIA = dict(
    fiscal_id="BNCGLI90A41H501E",
    email="giulia@gmail.com",
    mobile="347 1234568",
    first_name="Giulia",
    last_name="Bianchi",
)
YEAR = 365 * 24 * 3600


@pytest.fixture
def clock() -> ManualClock:
    """Now, so that the tracker store's real timestamps and the jobs' clock agree."""
    return ManualClock(utcnow())


@pytest.fixture
def tracker_url(database, tmp_path):
    """A tracker store of the test's own, on the same kind of database."""
    if database.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    with postgres_schema("jobs_tracker") as schema:
        yield in_schema(POSTGRES_URL, schema)


@pytest.fixture
def settings(database, tracker_url):
    return fast_settings(database_url=database.url, tracker_store_url=tracker_url)


def run(name: str, settings, clock, **kwargs) -> jobs.Outcome:
    return jobs.run_job(jobs.all_jobs()[name], settings, clock=clock, **kwargs)


def count(database, model, *where) -> int:
    with database.engine.connect() as db:
        return db.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def active_delegation(uow_factory, clock, days: int) -> tuple[int, int, int]:
    mario = register(uow_factory(), clock)
    giulia = register(uow_factory(), clock, **GIULIA)
    delegation = delegations.request_delegation(
        uow_factory(), mario, GIULIA["email"], days, uploaded(uow_factory())
    )
    delegations.respond_logged_in(uow_factory(), giulia, delegation, True)
    return mario, giulia, delegation


def test_every_job_is_listed_with_its_interval(settings):
    found = jobs.all_jobs()
    assert sorted(found) == [
        "cleanup",
        "delegation_expiry",
        "live_timeouts",
        "transcript_erasure",
        "transcript_retention",
        "upload_purge",
    ]
    assert all(jobs.interval(job, settings) >= timedelta(minutes=1) for job in found.values())


def test_expiry_mails_both_parties_over_smtp_once(database, uow_factory, clock, settings):
    _, _, delegation = active_delegation(uow_factory, clock, days=7)
    assert run("delegation_expiry", settings, clock).handled == 0  # not due yet
    clock.advance(days=7)
    assert run("delegation_expiry", settings, clock) == jobs.Outcome(True, 1)
    assert run("delegation_expiry", settings, clock) == jobs.Outcome(True, 0)  # idempotent
    with database.engine.connect() as db:
        status = db.scalar(
            sa.text("SELECT status FROM delegations WHERE id = :id"), {"id": delegation}
        )
    assert status == "expired"
    with database.session_factory() as session:
        newest = session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()[-2:]
    assert sorted((m.recipient, m.subject) for m in newest) == [
        ("giulia@gmail.com", "Delega scaduta"),
        ("mario.rossi@gmail.com", "Aggiornamento della tua delega"),
    ]
    assert all("scadut" in m.body for m in newest)
    assert count(database, OutboxMessage, OutboxMessage.subject == "Delega scaduta") == 1
    smtp = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    inbox = Inbox()
    server = smtp_server(smtp.smtp_port, inbox)
    server.start()
    try:
        sender = SmtpSender(smtp, 5)
        Dispatcher(database.session_factory, {"email": sender}, smtp, clock).dispatch_once(100)
    finally:
        server.stop()
    delivered = [(to, body) for (to,), body in inbox.messages]
    to_giulia = [b for to, b in delivered if to == "giulia@gmail.com"]
    assert sum("Subject: Delega scaduta" in b for b in to_giulia) == 1
    to_mario = [b for to, b in delivered if to == "mario.rossi@gmail.com"]
    assert sum("Subject: Aggiornamento della tua delega" in b for b in to_mario) == 3
    unsent = OutboxMessage.channel == "email", OutboxMessage.status != "sent"
    assert count(database, OutboxMessage, *unsent) == 0


def test_upload_purge_keeps_fresh_uploads(database, uow_factory, clock, settings):
    stale = uploaded(uow_factory())
    clock.advance(minutes=31)
    fresh = uploaded(uow_factory())
    assert run("upload_purge", settings, clock).handled == 1
    assert run("upload_purge", settings, clock).handled == 0
    assert documents.check_upload(uow_factory(), fresh) == "application/pdf"
    assert stale != fresh


def test_cleanup_drops_ended_sessions_spent_throttling_and_old_codes(
    database, uow_factory, clock, settings
):
    anna = staff.add_staff(uow_factory(), "anna", "agent", PASSWORD)
    carla = staff.add_staff(uow_factory(), "carla", "agent", PASSWORD)
    staff.open_session(uow_factory(), carla)  # never used again
    staff.authenticate_staff(uow_factory(), "anna", PASSWORD)  # a row with no failure left
    staff.authenticate_staff(uow_factory(), "bruno", "sbagliata")  # still counting: kept
    register(uow_factory(), clock)  # its codes, now used
    codes_before = count(database, VerificationCode)
    assert codes_before > 0
    clock.advance(days=1, hours=1)
    staff.open_session(uow_factory(), anna)  # in use
    clock.advance(minutes=5)
    assert run("cleanup", settings, clock).handled == 1 + 1 + codes_before
    assert count(database, StaffSessionRecord) == 1
    assert count(database, StaffLoginAttempts) == 1
    assert count(database, VerificationCode) == 0
    assert run("cleanup", settings, clock).handled == 0


def test_two_schedulers_never_run_a_job_together(database, settings, clock):
    calls = []

    def slow(job_settings, job_clock) -> int:
        calls.append(threading.current_thread().name)
        time.sleep(0.5)
        return 1

    job = jobs.Job("prova", "un lavoro lento", "job_cleanup_minutes", slow)
    start = threading.Barrier(2)
    outcomes = {}

    def scheduler(name: str) -> None:
        start.wait()
        outcomes[name] = jobs.run_job(job, settings, holder=name, due_only=True)

    threads = [threading.Thread(target=scheduler, args=(n,), name=n) for n in ("uno", "due")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.ran for o in outcomes.values()) == [False, True]
    assert len(calls) == 1
    # Just done: the other scheduler's next tick skips it; run by hand, it runs.
    assert not jobs.run_job(job, settings, holder="due", due_only=True).ran
    assert jobs.run_job(job, settings, holder="due").ran and len(calls) == 2
    with database.engine.connect() as db:
        lease = db.execute(sa.select(JobLease).where(JobLease.name == "prova")).one()
    assert lease.holder == "" and lease.last_result == 1


def test_two_scheduler_processes_run_the_expiry_once(database, settings, tracker_url, tmp_path):
    """Two `sportello scheduler` processes started together on one database: one expires the
    delegation and sends the two e-mails, the other skips the job."""
    past = ManualClock(utcnow() - timedelta(days=10))
    _, _, delegation = active_delegation(
        lambda: database.uow(past), past, days=7
    )  # ended a day ago
    env = os.environ | {
        "DATABASE_URL": database.url,
        "TRACKER_STORE_URL": tracker_url,
        "SPORTELLO_ENV": "development",
    }
    sportello = Path(sys.executable).with_name("sportello")
    logs = [tmp_path / f"scheduler-{n}.log" for n in (1, 2)]
    processes = [
        subprocess.Popen(
            [sportello, "scheduler"], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all("job delegation_expiry:" in log.read_text() for log in logs):
                break
            time.sleep(0.2)
    finally:
        for process in processes:
            process.send_signal(signal.SIGINT)
        for process in processes:
            process.wait(timeout=20)
    output = "".join(log.read_text() for log in logs)
    assert output.count("job delegation_expiry: done, 1 handled") == 1, output
    assert output.count("job delegation_expiry: skipped") == 1, output
    assert count(database, OutboxMessage, OutboxMessage.subject == "Delega scaduta") == 1
    with database.engine.connect() as db:
        status = db.scalar(
            sa.text("SELECT status FROM delegations WHERE id = :id"), {"id": delegation}
        )
    assert status == "expired"


def test_a_lease_left_by_a_dead_scheduler_expires(database, settings, clock):
    job = jobs.Job("prova", "un lavoro", "job_cleanup_minutes", lambda s, c: 0)
    with database.engine.begin() as db:
        db.execute(
            sa.insert(JobLease).values(
                name="prova", holder="morto", expires_at=clock() + jobs.LEASE
            )
        )
    assert not jobs.run_job(job, settings, clock=clock).ran
    clock.advance(minutes=16)
    assert jobs.run_job(job, settings, clock=clock).ran


def test_a_failing_job_frees_its_lease_and_stays_due(database, settings, clock):
    def broken(job_settings, job_clock) -> int:
        raise RuntimeError("guasto")

    job = jobs.Job("prova", "un lavoro rotto", "job_cleanup_minutes", broken)
    with pytest.raises(RuntimeError):
        jobs.run_job(job, settings, clock=clock)
    ok = jobs.Job("prova", "ora funziona", "job_cleanup_minutes", lambda s, c: 3)
    assert jobs.run_job(ok, settings, clock=clock, due_only=True) == jobs.Outcome(True, 3)


# ---- transcripts: erasure with the account, retention


def chat(sender: str, start: float, account: int | None, text: str) -> Script:
    script = Script(sender, start).session().user(text, "faq_browser")
    if account is not None:
        script.slot("account", account)
    return script.bot("Chrome o Firefox.", "utter_faq_browser").action("action_listen")


def mark(uow_factory, event_id: int, text: str) -> None:
    anna = staff.add_staff(uow_factory(), f"op{event_id}", "agent", PASSWORD)
    training.mark_misunderstood(uow_factory(), event_id, text, "faq_browser", anna, {"faq_browser"})


def first_user_event(engine, sender: str) -> int:
    with engine.connect() as db:
        return db.scalar(
            sa.select(sa.func.min(EVENTS.c.id)).where(
                EVENTS.c.sender_id == sender, EVENTS.c.type_name == "user"
            )
        )


def senders(engine) -> set[str]:
    with engine.connect() as db:
        return set(db.scalars(sa.select(EVENTS.c.sender_id).distinct()))


def comment(uow_factory, sender: str, text: str) -> None:
    """A 👍 with a comment, given in the conversation ``sender``."""
    rating_id = ratings.record(
        uow_factory(), sender_id=sender, channel="web", offer="assistente", positive=True
    )
    ratings.add_comment(uow_factory(), rating_id=rating_id, sender_id=sender, text=text)


def comments(uow_factory) -> dict[str, str | None]:
    with uow_factory() as uow:
        return {rating.sender_id: rating.comment for rating in uow.ratings.find()}


def test_deleting_an_account_erases_its_conversations(
    database, uow_factory, clock, settings, tracker_url
):
    mario = register(uow_factory(), clock)
    giulia = register(uow_factory(), clock, **GIULIA)
    now = time.time()
    index = ConversationIndex(tracker_url)
    engine = index.engine
    write(engine, chat("web-mario", now - 60, mario, "mi chiamo Mario Rossi").rows())
    acting = chat("web-giulia", now - 50, giulia, "per conto di mio padre").slot(
        "per_conto_di", mario
    )
    write(engine, acting.rows() + chat("web-anonimo", now - 40, None, "che browser?").rows())
    write(engine, chat("telegram-7", now - 30, 99, "io sono un altro").rows())
    index.catch_up()
    mark(uow_factory, first_user_event(engine, "web-mario"), "mi chiamo Mario Rossi")
    mark(uow_factory, first_user_event(engine, "web-anonimo"), "che browser?")
    for sender in ("web-mario", "web-anonimo"):
        comment(uow_factory, sender, f"commento di {sender}")
    assert run("transcript_erasure", settings, clock).handled == 0  # nobody deleted yet
    accounts.delete_account(uow_factory(), mario, PASSWORD)
    assert count(database, TranscriptErasure) == 1
    assert run("transcript_erasure", settings, clock).handled == 2
    assert senders(engine) == {"web-anonimo", "telegram-7"}
    with engine.connect() as db:
        indexed = set(db.scalars(sa.select(CONVERSATIONS.c.sender_id)))
        texts = " ".join(db.scalars(sa.select(MESSAGES.c.text)))
    assert indexed == {"web-anonimo", "telegram-7"} and "mario" not in texts
    with database.engine.connect() as db:
        assert [m.text for m in db.execute(sa.select(TrainingMark))] == ["che browser?"]
    assert count(database, TranscriptErasure) == 0
    assert comments(uow_factory) == {"web-mario": None, "web-anonimo": "commento di web-anonimo"}
    assert run("transcript_erasure", settings, clock).handled == 0  # idempotent
    index.engine.dispose()


def test_retention_purges_old_conversations_with_their_index_and_marks(
    database, uow_factory, clock, settings, tracker_url
):
    now = time.time()
    index = ConversationIndex(tracker_url)
    engine = index.engine
    # The same chat: a session over a year ago, then one last week.
    old = chat("web-ritorno", now - YEAR - 3600, None, "vecchia domanda")
    old.session(idle_seconds=YEAR - 7 * 86400).user("domanda nuova", "faq_browser")
    write(engine, old.rows())
    write(engine, chat("web-vecchio", now - YEAR - 60, None, "tutto vecchio").rows())
    write(engine, chat("web-nuovo", now - 60, None, "tutto nuovo").rows())
    index.catch_up()
    mark(uow_factory, first_user_event(engine, "web-vecchio"), "tutto vecchio")
    comment(uow_factory, "web-nuovo", "tutto bene")
    assert run("transcript_retention", settings, clock).handled == 2
    with engine.connect() as db:
        left = [
            row.text for row in db.execute(sa.select(MESSAGES.c.text).order_by(MESSAGES.c.event_id))
        ]
        kept_events = db.scalar(sa.select(sa.func.count()).select_from(EVENTS))
        user_texts = [
            data
            for data in db.scalars(sa.select(EVENTS.c.data).where(EVENTS.c.type_name == "user"))
        ]
    assert "vecchia domanda" not in " ".join(left) and "domanda nuova" in " ".join(left)
    assert senders(engine) == {"web-ritorno", "web-nuovo"}
    assert len(user_texts) == 2 and kept_events > 0
    assert count(database, TrainingMark) == 0
    assert run("transcript_retention", settings, clock).handled == 0
    # A shorter retention, set in the settings, reaches the recent ones too.
    short = settings.model_copy(update={"transcript_retention_days": 1})
    clock.advance(days=2)
    assert comments(uow_factory) == {"web-nuovo": "tutto bene"}
    assert run("transcript_retention", short, clock).handled == 2
    assert senders(engine) == set()
    assert comments(uow_factory) == {"web-nuovo": None}  # the vote stays, its words go
    index.engine.dispose()
