"""Time-based jobs, and the scheduler process that runs them (``sportello scheduler``).

Every job is idempotent: run twice, it changes nothing more than once. Before running, a job
takes its lease, a conditional UPDATE of its ``job_leases`` row that PostgreSQL and SQLite
both apply to one writer at a time: of two schedulers (a second replica, a rolling deploy)
only one runs a job at a time, and the scheduler skips a job that the other finished less
than half an interval ago. The jobs over the chat transcripts belong to the console, which
reads the tracker store, and come in through the ``sportello.jobs`` entry points: the
backend knows neither Rasa nor the console.
"""

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points

import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from backend import bootstrap, codes, delegations, documents, staff
from backend.clock import utcnow
from backend.entities import JobLease
from backend.settings import Settings
from backend.uow import Clock

log = logging.getLogger("sportello.jobs")

# The jobs take seconds; a lease this old belongs to a scheduler that died mid-run.
LEASE = timedelta(minutes=15)
LEASES = JobLease.__table__


@dataclass(frozen=True)
class Job:
    name: str
    description: str  # Italian, for `sportello jobs list`
    interval_setting: str  # the Settings field holding its minutes between runs
    work: Callable[[Settings, Clock], int]  # runs it once; returns how many things it handled


def _service(service: Callable) -> Callable[[Settings, Clock], int]:
    """A service over a unit of work, as a job's work."""
    return lambda settings, clock: service(bootstrap.unit_of_work(settings, clock))


def _cleanup(settings: Settings, clock: Clock) -> int:
    handled = staff.purge_stale_rows(bootstrap.unit_of_work(settings, clock))
    return handled + codes.purge_expired_codes(bootstrap.unit_of_work(settings, clock))


BACKEND_JOBS = (
    Job(
        "delegation_expiry",
        "deleghe arrivate a scadenza: stato «scaduta», e-mail al delegante e al delegato",
        "job_delegation_expiry_minutes",
        _service(delegations.expire_delegations),
    ),
    Job(
        "upload_purge",
        "documenti caricati e mai usati entro 30 minuti: eliminati",
        "job_upload_purge_minutes",
        _service(documents.purge_expired_uploads),
    ),
    Job(
        "cleanup",
        "sessioni della console finite, blocchi degli accessi passati, codici scaduti da un giorno",
        "job_cleanup_minutes",
        _cleanup,
    ),
)


def all_jobs() -> dict[str, Job]:
    """The backend's jobs and those other packages register (``sportello.jobs``), by name."""
    jobs = list(BACKEND_JOBS) + [entry.load() for entry in entry_points(group="sportello.jobs")]
    return {job.name: job for job in jobs}


def interval(job: Job, settings: Settings) -> timedelta:
    return timedelta(minutes=getattr(settings, job.interval_setting))


@dataclass(frozen=True)
class Outcome:
    ran: bool
    handled: int = 0


def run_job(
    job: Job,
    settings: Settings,
    *,
    clock: Clock = utcnow,
    holder: str | None = None,
    due_only: bool = False,
) -> Outcome:
    """Run the job if its lease is free (and, with ``due_only``, if nobody ran it within half
    an interval); ``Outcome(ran=False)`` when another scheduler has it."""
    holder = holder or f"{socket.gethostname()}:{os.getpid()}"
    engine = bootstrap.engine(settings)
    gap = interval(job, settings) / 2 if due_only else None
    if not _acquire(engine, job.name, holder, clock(), gap):
        log.info("job %s: skipped, another scheduler is running it or just did", job.name)
        return Outcome(False)
    handled = None
    try:
        handled = job.work(settings, clock)
    finally:  # a failed run frees the lease and stays due: the next tick tries again
        _release(engine, job.name, holder, clock(), handled)
    log.info("job %s: done, %d handled", job.name, handled)
    return Outcome(True, handled)


def _acquire(engine: sa.Engine, name: str, holder: str, now: datetime, gap) -> bool:
    try:
        with engine.begin() as db:
            if db.scalar(sa.select(LEASES.c.name).where(LEASES.c.name == name)) is None:
                db.execute(LEASES.insert().values(name=name, holder="", expires_at=now))
    except sa.exc.IntegrityError:
        pass  # another scheduler wrote it first
    free = LEASES.c.expires_at <= now
    if gap is not None:
        free &= LEASES.c.last_finished_at.is_(None) | (LEASES.c.last_finished_at <= now - gap)
    with engine.begin() as db:
        taken = db.execute(
            LEASES.update()
            .where(LEASES.c.name == name, free)
            .values(holder=holder, expires_at=now + LEASE)
        )
        return taken.rowcount == 1


def _release(engine: sa.Engine, name: str, holder: str, now: datetime, handled) -> None:
    values = {"holder": "", "expires_at": now}
    if handled is not None:
        values |= {"last_finished_at": now, "last_result": handled}
    with engine.begin() as db:
        db.execute(
            LEASES.update().where(LEASES.c.name == name, LEASES.c.holder == holder).values(values)
        )


def last_runs(settings: Settings) -> dict[str, JobLease]:
    """Each job's lease row (when it last finished, how many things it handled)."""
    with bootstrap.unit_of_work(settings) as uow:
        return {row.name: row for row in uow.job_leases.find()}


def scheduler(settings: Settings) -> BlockingScheduler:
    """Every job at its interval, the first run at start-up."""
    runner = BlockingScheduler(timezone=UTC)
    for job in all_jobs().values():
        runner.add_job(
            run_job,
            IntervalTrigger(minutes=getattr(settings, job.interval_setting)),
            args=[job, settings],
            kwargs={"due_only": True},
            id=job.name,
            name=job.name,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
    return runner
