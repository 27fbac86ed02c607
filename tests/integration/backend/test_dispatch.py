"""Delivery of the outbox to a real SMTP server and a fake SMS gateway, both on loopback."""

import json
import logging
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from backend import outbox
from backend.dispatch import Dispatcher, HttpSmsSender, SmtpSender, senders_from_settings
from backend.entities import OutboxMessage
from tests.support.loopback import free_port
from tests.support.settings import fast_settings


class Inbox:
    """aiosmtpd handler keeping what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"sportello" and auth_data.password == b"segreto"
    return AuthResult(success=ok)


def smtp_server(port: int, inbox: Inbox) -> Controller:
    return Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )


def dispatch_email_once(server: Controller, database, settings, clock, timeout: float) -> int:
    """One round of e-mail delivery while the server runs; how many messages went out."""
    server.start()
    try:
        dispatcher = Dispatcher(
            database.session_factory, {"email": SmtpSender(settings, timeout)}, settings, clock
        )
        return dispatcher.dispatch_once()
    finally:
        server.stop()


def queue(database, clock, *messages):
    uow = database.uow(clock)
    with uow:
        for channel, to in messages:
            outbox.send(
                uow,
                channel,
                to,
                "email_welcome" if channel == "email" else "sms_registration_code",
                name="Mario Rossi",
                code="123456",
            )
        uow.commit()


def rows(database) -> list[OutboxMessage]:
    with database.session_factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def smtp_settings(database):
    return fast_settings(
        database_url=database.url,
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_starttls=False,
        smtp_user="sportello",
        smtp_password="segreto",
        smtp_from="Sportello <no-reply@example.it>",
    )


def test_email_survives_the_smtp_server_being_down(database, clock, smtp_settings):
    queue(database, clock, ("email", "a@gmail.com"), ("email", "b@gmail.com"))
    dispatcher = Dispatcher(
        database.session_factory, {"email": SmtpSender(smtp_settings, 2)}, smtp_settings, clock
    )
    assert dispatcher.dispatch_once() == 0  # nobody listening
    pending = rows(database)
    assert [(m.status, m.attempts) for m in pending] == [("pending", 1)] * 2
    assert "ConnectionRefusedError" in pending[0].last_error
    assert dispatcher.dispatch_once() == 0  # backing off: not yet due
    inbox = Inbox()
    server = smtp_server(smtp_settings.smtp_port, inbox)
    server.start()
    try:
        clock.advance(seconds=5)
        assert dispatcher.dispatch_once() == 2
        assert dispatcher.dispatch_once() == 0
    finally:
        server.stop()
    assert sorted(to for (to,), _ in inbox.messages) == ["a@gmail.com", "b@gmail.com"]
    assert all("Subject: Registrazione completata" in body for _, body in inbox.messages)
    assert all("From: Sportello <no-reply@example.it>" in body for _, body in inbox.messages)
    assert [m.status for m in rows(database)] == ["sent", "sent"]


def test_wrong_smtp_credentials_keep_the_message(database, clock, smtp_settings):
    settings = smtp_settings.model_copy(update={"smtp_password": "sbagliata"})
    queue(database, clock, ("email", "a@gmail.com"))
    inbox = Inbox()
    server = smtp_server(settings.smtp_port, inbox)
    assert dispatch_email_once(server, database, settings, clock, timeout=1) == 0
    assert inbox.messages == [] and rows(database)[0].status == "pending"
    # aiosmtpd stalls instead of answering 535, so the client gives up on its timeout.
    assert rows(database)[0].last_error.startswith("SMTP")


class FailingSender:
    def __init__(self):
        self.calls = 0

    def send(self, message):
        self.calls += 1
        raise OSError("gateway down")


def test_retries_back_off_exponentially(database, clock):
    settings = fast_settings(database_url=database.url, dispatch_backoff_seconds=5)
    queue(database, clock, ("sms", "+393331234567"))
    sender = FailingSender()
    dispatcher = Dispatcher(database.session_factory, {"sms": sender}, settings, clock)
    delays = []
    for _ in range(4):
        start = clock()
        dispatcher.dispatch_once()
        delays.append((rows(database)[0].next_attempt_at - start).total_seconds())
        clock.advance(seconds=delays[-1] - 1)
        assert dispatcher.dispatch_once() == 0  # one second early: still waiting
        clock.advance(seconds=1)
    assert delays == [5, 10, 20, 40] and sender.calls == 4


def test_a_claim_left_by_a_crashed_dispatcher_is_retaken_after_the_lease(database, clock):
    queue(database, clock, ("sms", "+393331234567"))
    sent = []

    class Crash(BaseException):
        pass

    class CrashingSender:
        def send(self, message):
            raise Crash  # the process dies mid-delivery: nothing is written back

    class RecordingSender:
        def send(self, message):
            sent.append(message.id)

    settings = fast_settings(database_url=database.url)
    with pytest.raises(Crash):
        Dispatcher(
            database.session_factory, {"sms": CrashingSender()}, settings, clock
        ).dispatch_once()
    survivor = Dispatcher(database.session_factory, {"sms": RecordingSender()}, settings, clock)
    assert survivor.dispatch_once() == 0  # still leased to the crashed one
    clock.advance(minutes=5, seconds=1)
    assert survivor.dispatch_once() == 1 and len(sent) == 1


def test_concurrent_dispatchers_deliver_each_message_once(database, clock):
    queue(database, clock, *[("sms", f"+39333123456{i}") for i in range(10)])
    delivered = []
    lock = threading.Lock()

    class RecordingSender:
        def send(self, message):
            with lock:
                delivered.append(message.id)

    settings = fast_settings(database_url=database.url)
    dispatchers = [
        Dispatcher(database.session_factory, {"sms": RecordingSender()}, settings, clock)
        for _ in range(3)
    ]
    threads = [threading.Thread(target=d.dispatch_once) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(delivered) == [m.id for m in rows(database)]
    assert {m.status for m in rows(database)} == {"sent"}


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    failures_left = 0

    def do_POST(self):
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Gateway.failures_left:
            Gateway.failures_left -= 1
            self.send_response(503)
        else:
            Gateway.received.append(payload)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    Gateway.received, Gateway.failures_left = [], 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()


def test_sms_go_to_the_http_gateway_after_a_failure(database, clock, gateway, caplog):
    caplog.set_level(logging.DEBUG)
    settings = fast_settings(database_url=database.url, sms_gateway_url=gateway)
    queue(database, clock, ("sms", "+393331234567"), ("email", "a@gmail.com"))
    dispatcher = Dispatcher(
        database.session_factory, senders_from_settings(settings), settings, clock
    )
    assert dispatcher.dispatch_once() == 0  # the gateway answers 503 once
    clock.advance(seconds=5)
    assert dispatcher.dispatch_once() == 1
    [payload] = Gateway.received
    assert payload["to"] == "+393331234567" and "123456" in payload["body"]
    sms, email = rows(database)
    assert (sms.status, email.status) == ("sent", "pending")  # no SMTP: e-mail stays readable
    assert "delivery failed" in caplog.text and "123456" not in caplog.text  # no code in logs


def test_without_transports_the_outbox_is_a_readable_sink(database, clock):
    settings = fast_settings(database_url=database.url)
    queue(database, clock, ("email", "a@gmail.com"))
    assert senders_from_settings(settings) == {}
    assert Dispatcher(database.session_factory, {}, settings, clock).dispatch_once() == 0
    [line] = [outbox.as_json(m) for m in rows(database)]
    assert json.loads(line)["subject"] == "Registrazione completata"


def test_http_sender_raises_on_gateway_errors(gateway):
    message = OutboxMessage(id=1, recipient="+393331234567", body="ciao")
    with pytest.raises(Exception, match="503"):
        HttpSmsSender(gateway).send(message)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted through SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def test_email_goes_over_starttls_with_auth(database, clock, smtp_settings, certificate):
    settings = smtp_settings.model_copy(update={"smtp_starttls": True})
    queue(database, clock, ("email", "a@gmail.com"))
    inbox = Inbox()
    server = Controller(
        inbox,
        hostname="127.0.0.1",
        port=settings.smtp_port,
        authenticator=authenticator,
        tls_context=certificate,
        require_starttls=True,
    )
    assert dispatch_email_once(server, database, settings, clock, timeout=5) == 1
    assert [to for (to,), _ in inbox.messages] == ["a@gmail.com"]


def test_run_keeps_delivering_until_stopped(database, clock):
    queue(database, clock, ("sms", "+393331234567"))
    stop = threading.Event()

    class StoppingSender:
        def send(self, message):
            stop.set()  # deliver, then ask the loop to end

    settings = fast_settings(database_url=database.url)
    Dispatcher(database.session_factory, {"sms": StoppingSender()}, settings, clock).run(
        stop, poll_seconds=0.01
    )
    assert rows(database)[0].status == "sent"


def test_run_survives_a_failing_round(database, clock):
    stop = threading.Event()
    rounds = []

    class Flaky(Dispatcher):
        def dispatch_once(self, batch=50):
            rounds.append(1)
            if len(rounds) == 1:
                raise RuntimeError("database restarting")
            stop.set()
            return 0

    settings = fast_settings(database_url=database.url)
    Flaky(database.session_factory, {}, settings, clock).run(stop, poll_seconds=0.01)
    assert len(rounds) == 2
