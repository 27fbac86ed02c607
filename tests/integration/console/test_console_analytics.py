"""The analytics report: days, containment, fallback rate, flow funnels, unrecognised texts."""

import csv
import io
from datetime import date, timedelta

from backend.ratings import DayRatings, Tally
from backend.ratings import Summary as Ratings
from console.analytics import RATING_COLUMNS, Day, report, report_csv
from console.conversations import day_start
from tests.support.conversations import Script

DAY = date(2025, 3, 10)
NUMERO_VERDE = ("qual è il numero verde?", "faq_numero_verde", "803.500")


def on(day: date, sender: str, hour: int = 10) -> Script:
    return Script(sender, day_start(day) + hour * 3600).session()


def test_report(index, store):
    next_day = DAY + timedelta(days=1)
    store(
        on(DAY, "a").faq(*NUMERO_VERDE).not_understood("Bolletta SBAGLIATA"),
        on(DAY, "b").faq("operatore", "human_handoff", "Ok").not_understood("bolletta sbagliata"),
        on(DAY, "c").flow("collega_pod_form", 0, "cancelled"),
        on(next_day, "d").flow("collega_pod_form"),
        on(next_day, "e").flow("recupero_password_form", 1, "given_up").not_understood("asdf"),
        on(DAY - timedelta(days=1), "outside").not_understood("fuori periodo"),
        Script("silent", day_start(DAY) + 3600).session(),
    )
    index.catch_up()

    result = report(index, DAY, DAY + timedelta(days=2))

    assert result.days == [
        Day(DAY, conversations=3, handed_over=1, fallbacks=2, user_messages=6),
        Day(next_day, conversations=2, handed_over=0, fallbacks=1, user_messages=6),
        Day(DAY + timedelta(days=2), conversations=0, handed_over=0, fallbacks=0, user_messages=0),
    ]
    assert result.containment == 4 / 5
    assert result.fallback_rate == 3 / 12
    pod, password = result.funnels
    assert (pod.form, pod.started, pod.completed, pod.abandoned) == ("collega_pod_form", 2, 1, 1)
    assert pod.abandoned_at == {"collega_pod_codice": 1}
    assert (password.started, password.abandoned) == (1, 1)
    assert password.abandoned_at == {"recupero_password_email_otp": 1}
    assert result.unrecognised == [("bolletta sbagliata", 2), ("asdf", 1)]


def test_report_of_a_period_without_conversations(index):
    result = report(index, DAY, DAY)
    assert (result.containment, result.fallback_rate, result.funnels) == (0.0, 0.0, [])
    assert result.unrecognised == []


def test_report_csv(index, store):
    store(on(DAY, "a").faq("operatore", "human_handoff", "Ok"))
    index.catch_up()
    rated = Ratings(
        days={DAY: DayRatings(Tally(3, 1), Tally(0, 2))}, total=DayRatings(), comments=[]
    )
    export = report_csv(report(index, DAY, DAY + timedelta(days=1)), rated)
    rows = list(csv.reader(io.StringIO(export)))
    assert rows == [
        ["giorno", "conversazioni", "passate a un operatore", "non compresi", "messaggi utente"]
        + RATING_COLUMNS,
        ["2025-03-10", "1", "1", "0", "1", "3", "1", "0.75", "0", "2", "0.0"],
        ["2025-03-11", "0", "0", "0", "0", "0", "0", "", "0", "0", ""],
    ]
