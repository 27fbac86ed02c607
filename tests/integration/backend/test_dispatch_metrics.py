"""The dispatcher's metrics: e-mails and SMS sent and failed, and the backlog still to send."""

from prometheus_client import REGISTRY

from backend.dispatch import Dispatcher
from tests.integration.backend.test_dispatch import FailingSender, queue
from tests.support.settings import fast_settings


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Gateway:
    def send(self, message):
        pass


def test_deliveries_and_failures_are_counted_per_channel_and_the_backlog_gauged(database, clock):
    settings = fast_settings(database_url=database.url)
    queue(database, clock, ("sms", "+393331234567"), ("email", "a@gmail.com"))
    sent = sample("sportello_outbox_deliveries_total", channel="email", result="sent")
    failed = sample("sportello_outbox_deliveries_total", channel="sms", result="failed")

    senders = {"sms": FailingSender(), "email": Gateway()}
    assert Dispatcher(database.session_factory, senders, settings, clock).dispatch_once() == 1
    assert sample("sportello_outbox_deliveries_total", channel="email", result="sent") == sent + 1
    assert sample("sportello_outbox_deliveries_total", channel="sms", result="failed") == failed + 1
    assert sample("sportello_outbox_backlog") == 2  # counted before the round: both waiting

    clock.advance(seconds=60)
    senders["sms"] = Gateway()
    assert Dispatcher(database.session_factory, senders, settings, clock).dispatch_once() == 1
    assert sample("sportello_outbox_backlog") == 1  # the SMS, due again; the e-mail is gone
