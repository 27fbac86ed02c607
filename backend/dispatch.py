"""Deliver the outbox: e-mail over SMTP, SMS through an HTTP gateway.

A row is claimed with an atomic conditional UPDATE (so two dispatchers never send the
same message), marked sent only after the transport accepted it, and retried with
exponential backoff otherwise. A claim left by a crashed dispatcher is retaken once its
lease runs out. Channels with no transport configured stay in the table (dev sink).
"""

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import httpx
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from backend import metrics
from backend.clock import utcnow
from backend.entities import Channel, OutboxMessage, OutboxStatus
from backend.settings import Settings

log = logging.getLogger(__name__)
MAX_BACKOFF = timedelta(hours=1)


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class SmtpSender:
    def __init__(self, settings: Settings, timeout: float = 10):
        self.settings = settings
        self.timeout = timeout

    def send(self, message: OutboxMessage) -> None:
        s = self.settings
        email = EmailMessage()
        email["From"] = s.smtp_from
        email["To"] = message.recipient
        email["Subject"] = message.subject
        # Stable id per outbox row: a receiver can drop a redelivery after a crash.
        email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="sportello")
        email.set_content(message.body)
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
            smtp.send_message(email)


class HttpSmsSender:
    def __init__(self, url: str, timeout: float = 10):
        self.url = url
        self.timeout = timeout

    def send(self, message: OutboxMessage) -> None:
        payload = {"id": message.id, "to": message.recipient, "body": message.body}
        httpx.post(self.url, json=payload, timeout=self.timeout).raise_for_status()


def senders_from_settings(settings: Settings) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    if settings.smtp_host:
        senders[Channel.EMAIL] = SmtpSender(settings)
    if settings.sms_gateway_url:
        senders[Channel.SMS] = HttpSmsSender(settings.sms_gateway_url)
    return senders


class Dispatcher:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        senders: dict[str, Sender],
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = timedelta(minutes=5),
    ):
        self.session_factory = session_factory
        self.senders = senders
        self.backoff = timedelta(seconds=settings.dispatch_backoff_seconds)
        self.clock = clock
        self.lease = lease

    def _due(self, now: datetime):
        t = OutboxMessage
        return and_(
            t.channel.in_(list(self.senders)),
            or_(
                and_(t.status == OutboxStatus.PENDING, t.next_attempt_at <= now),
                and_(t.status == OutboxStatus.SENDING, t.claimed_until < now),
            ),
        )

    def dispatch_once(self, batch: int = 50) -> int:
        """Try every due message once; returns how many were delivered."""
        if not self.senders:
            return 0
        with self.session_factory() as session:
            query = select(OutboxMessage.id).where(self._due(self.clock()))
            ids = list(session.scalars(query.order_by(OutboxMessage.id).limit(batch)))
            metrics.OUTBOX_BACKLOG.set(self._backlog(session))
        return sum(self._deliver(message_id) for message_id in ids)

    def _backlog(self, session: Session) -> int:
        """Messages of a configured channel not sent yet (due or waiting for a retry)."""
        t = OutboxMessage
        waiting = t.channel.in_(list(self.senders)) & (t.status != OutboxStatus.SENT)
        return session.scalar(select(func.count()).select_from(t).where(waiting))

    def _claim(self, session: Session, message_id: int) -> OutboxMessage | None:
        now = self.clock()
        t = OutboxMessage
        claimed = session.execute(
            update(t)
            .where(t.id == message_id, self._due(now))
            .values(
                status=OutboxStatus.SENDING, claimed_until=now + self.lease, attempts=t.attempts + 1
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        return session.get(t, message_id) if claimed == 1 else None

    def _deliver(self, message_id: int) -> bool:
        with self.session_factory() as session:
            message = self._claim(session, message_id)
            if message is None:
                return False  # another dispatcher has it
            try:
                self.senders[message.channel].send(message)
            except Exception as exc:  # any transport failure: retry later
                delay = min(self.backoff * 2 ** (message.attempts - 1), MAX_BACKOFF)
                message.status = OutboxStatus.PENDING
                message.claimed_until = None
                message.next_attempt_at = self.clock() + delay
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                session.commit()
                log.warning("outbox %s: delivery failed, retry in %s", message.id, delay)
                metrics.OUTBOX_DELIVERIES.labels(message.channel, "failed").inc()
                return False
            message.status = OutboxStatus.SENT
            message.sent_at = self.clock()
            session.commit()
            metrics.OUTBOX_DELIVERIES.labels(message.channel, "sent").inc()
            return True

    def run(self, stop: threading.Event, poll_seconds: float = 2.0) -> None:
        """Deliver until ``stop`` is set."""
        while not stop.is_set():
            try:
                self.dispatch_once()
            except Exception:  # e.g. the database restarting: keep the loop alive
                log.exception("outbox dispatch round failed")
            stop.wait(poll_seconds)
