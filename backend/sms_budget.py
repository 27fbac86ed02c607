"""The SMS budget: how many SMS clients can make Sportello send in an hour.

Every SMS costs money and lands on someone's phone. Left open, one client starting
registrations with a new mobile each time made the service queue 263 SMS in a minute (SMS
pumping, the first scenario of OWASP API4:2023). So every SMS goes into the outbox through
``send_sms`` here, which counts it against three limits over the last hour (a sliding hour,
so no double burst around o'clock):

- per destination number: ``SMS_PER_NUMBER_PER_HOUR`` SMS;
- per client: ``SMS_FLOWS_PER_CLIENT_PER_HOUR`` SMS-sending flows started. The client is the
  address the channel saw (message metadata ``cliente``), or the conversation where the
  channel gives none; a new code within a flow already started counts per number and overall
  only, and is itself limited (``backend.codes``: one a minute);
- overall: ``SMS_HOURLY_BUDGET`` SMS.

An operator's SMS (a callback closed, ``send_staff_sms``) is counted but never refused: staff
answer customers one by one, and their answer must not wait for a budget clients used up.

The counts are rows of a table written in the unit of work that queues the SMS, rather than
a Redis counter: an SMS in the outbox is always counted, a flow that rolls back spends
nothing, and there is no second store to keep in step or to fall back from. Checking and
counting must be one step across processes (the action server may run as replicas): the unit
of work ``hold``s the ledger from its check to its commit (a PostgreSQL advisory lock; on
SQLite, its single writer). SMS are rare (one per registration), so the wait is short: one
SMS through the budget adds 4 ms to its unit of work on SQLite and 14 ms on PostgreSQL
(medians, tests/bench/backend.py, this 2-core machine shared with other jobs).

A refusal drops what the unit of work had written (nothing half-written), keeps the refused
entry and an audit event, commits them and raises ``SmsRefused`` with the Italian reason.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend import audit, outbox
from backend.entities import Channel, OutboxMessage, SmsBudgetEntry, SmsLimit
from backend.errors import HELP_ONLINE, Throttled

HOUR = timedelta(hours=1)


def _wait(minutes: int) -> str:
    return "tra un minuto" if minutes == 1 else f"tra {minutes} minuti"


def refusal(limit: SmsLimit, allowed: int, minutes: int) -> str:
    """Why no SMS goes now, and when one may: the settings' figures, then Help OnLine."""
    wait = _wait(minutes)
    reasons = {
        SmsLimit.NUMBER: (
            f"Per sicurezza un numero riceve al massimo {allowed} SMS in un'ora e questo li ha "
            f"già ricevuti: potrai richiederne un altro {wait}."
        ),
        SmsLimit.CLIENT: (
            f"Per sicurezza dalla stessa chat o connessione si possono avviare al massimo "
            f"{allowed} richieste con invio di SMS in un'ora, e il limite è raggiunto: potrai "
            f"riprovare {wait}."
        ),
        SmsLimit.HOURLY: (
            f"In quest'ora il servizio ha già inviato tutti gli SMS previsti: potrai riprovare "
            f"{wait}."
        ),
    }
    return f"{reasons[limit]} {HELP_ONLINE}"


class SmsRefused(Throttled):
    """An SMS over the budget: nothing was queued; ``limit`` says which one."""

    def __init__(self, limit: SmsLimit, allowed: int, minutes: int):
        super().__init__(refusal(limit, allowed, minutes))
        self.limit = limit


def send_sms(
    uow, to: str, template: str, *, client: str, flow: str, opens_flow: bool, **values
) -> OutboxMessage:
    """Queue an SMS for ``client``'s ``flow`` (``opens_flow``: its first SMS), or refuse it."""
    spend(uow, to, client=client, flow=flow, opens_flow=opens_flow)
    return outbox.send(uow, Channel.SMS, to, template, **values)


def send_staff_sms(uow, to: str, template: str, *, staff_id: int, flow: str, **values):
    """Queue an operator's SMS: counted against the budget, never refused."""
    uow.sms_budget.add(_entry(uow, to, f"staff-{staff_id}", flow, opens_flow=False))
    return outbox.send(uow, Channel.SMS, to, template, **values)


def spend(uow, to: str, *, client: str, flow: str, opens_flow: bool) -> None:
    """Count one SMS in the ledger; over a limit, record the refusal and raise ``SmsRefused``."""
    uow.sms_budget.hold()
    entry = _entry(uow, to, client, flow, opens_flow)
    over = _limit_reached(uow, entry)
    if over is None:
        uow.sms_budget.add(entry)
        return
    limit, allowed, oldest = over
    uow.rollback()  # whatever the flow had written goes with the SMS it needed
    entry.refused = limit
    uow.sms_budget.add(entry)
    audit.record(uow, "sms_refused", None, limit=str(limit), flow=flow)
    uow.commit()
    minutes = max(1, math.ceil((oldest + HOUR - entry.created_at).total_seconds() / 60))
    raise SmsRefused(limit, allowed, minutes)


def _digest(uow, value: str) -> str:
    key = uow.settings.secret_key.encode()
    return hmac.new(key, f"sms-budget:{value.strip()}".encode(), hashlib.sha256).hexdigest()


def _entry(uow, to: str, client: str, flow: str, opens_flow: bool) -> SmsBudgetEntry:
    return SmsBudgetEntry(
        created_at=uow.now(),
        flow=flow,
        recipient=_digest(uow, to),
        client=_digest(uow, client),
        opens_flow=opens_flow,
        refused="",
    )


def _limit_reached(uow, entry: SmsBudgetEntry) -> tuple[SmsLimit, int, datetime] | None:
    """The first limit this SMS would break, its figure and its oldest counted SMS."""
    settings = uow.settings
    checks = [(SmsLimit.NUMBER, settings.sms_per_number_per_hour, {"recipient": entry.recipient})]
    if entry.opens_flow:
        per_client = {"client": entry.client, "opens_flow": True}
        checks.append((SmsLimit.CLIENT, settings.sms_flows_per_client_per_hour, per_client))
    checks.append((SmsLimit.HOURLY, settings.sms_hourly_budget, {}))
    since = entry.created_at - HOUR
    for limit, allowed, equals in checks:
        count, oldest = uow.sms_budget.tally(since, refused="", **equals)
        if count >= allowed:
            return limit, allowed, oldest
    return None


# --- for staff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    sent: int
    refused: dict[str, int]  # by SmsLimit


@dataclass(frozen=True)
class Summary:
    """The console's view: the last hour, what is left of the hourly budget, a period."""

    last_hour: Usage
    hourly_budget: int
    left_this_hour: int
    period: Usage


def summary(uow, since: datetime, until: datetime) -> Summary:
    """SMS queued and refused in the last hour and from ``since`` to ``until`` (naive UTC)."""
    with uow:
        now = uow.now()
        last_hour = _usage(uow, now - HOUR, None)
        budget = uow.settings.sms_hourly_budget
        return Summary(
            last_hour=last_hour,
            hourly_budget=budget,
            left_this_hour=max(0, budget - last_hour.sent),
            period=_usage(uow, since, until),
        )


def _usage(uow, since: datetime, until: datetime | None) -> Usage:
    def count(refused: str) -> int:
        return uow.sms_budget.tally(since, until, refused=refused)[0]

    return Usage(sent=count(""), refused={str(limit): count(limit) for limit in SmsLimit})
