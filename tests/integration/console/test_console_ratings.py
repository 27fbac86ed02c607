"""Staff read the customers' ratings in the analytics: per day, the satisfaction, the latest
comments (masked), and the CSV export's rating columns, from the backend's PostgreSQL."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from backend import bootstrap, db, live_chats, ratings, staff
from backend.operator_hours import parse_operator_hours
from console.analytics import RATING_COLUMNS
from console.app import make_console
from console.auth import SESSION_COOKIE
from console.pages import ITALY
from tests.support.services import POSTGRES_URL, in_schema, postgres_schema


@pytest.fixture
def backend(configure):
    with postgres_schema("console_ratings") as schema:
        url = in_schema(POSTGRES_URL, schema)
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
        configure(DATABASE_URL=url)
        yield url


def rate(sender: str, offer: str, positive: bool, comment: str | None = None) -> None:
    rating_id = ratings.record(
        bootstrap.unit_of_work(),
        sender_id=sender,
        channel=sender.partition("-")[0],
        offer=offer,
        positive=positive,
    )
    if comment:
        ratings.add_comment(
            bootstrap.unit_of_work(), rating_id=rating_id, sender_id=sender, text=comment
        )


@pytest.fixture
def client(backend, index):
    anna = staff.add_staff(bootstrap.unit_of_work(), "anna", "agent", "Console#2024")
    live_chats.set_available(bootstrap.unit_of_work(), anna, True)
    token, _ = staff.open_session(bootstrap.unit_of_work(), anna)
    web = Starlette(routes=[Mount("/console", app=make_console(index))])
    with TestClient(web) as client:
        client.cookies.set(SESSION_COOKIE, token, path="/console")
        yield client


def test_staff_read_the_ratings_per_day_the_satisfaction_and_the_comments(client):
    always = parse_operator_hours("lun-dom 0-24")
    chat = live_chats.request(bootstrap.unit_of_work(), "web-op", "web", always).chat_id
    rate("web-a", "assistente", True, "Chiaro e veloce")
    rate("web-b", "assistente", True)
    rate("telegram-c", "assistente", False, "Scrivetemi: mario.rossi@example.it, 333 1234567")
    rate("web-op", f"operatore:{chat}", False)
    rate("web-op", f"operatore:{chat}", True)  # the same hand-over: the vote changes

    page = client.get("/console/analisi")

    assert page.status_code == 200
    section = page.text[page.text.index('id="soddisfazione"') : page.text.index('id="sms"')]
    kpis = re.findall(r'<span class="value">([^<]+)</span> ([^<(]+)\((\d+) 👍, (\d+) 👎\)', section)
    assert [(value, label.strip(), up, down) for value, label, up, down in kpis] == [
        ("67%", "soddisfatti dell'assistente", "2", "1"),
        ("100%", "soddisfatti degli operatori", "1", "0"),
    ]
    today = datetime.now(ITALY).date()
    cells = re.findall(r'<td class="num">(\d+)</td>', section)
    assert f'<th scope="row">{today:%d/%m/%Y}</th>' in section and cells == ["2", "1", "1", "0"]
    comments = re.findall(r"<li><time>[^<]+</time> <span[^>]*>(.)</span> ([^<]+)</li>", section)
    assert comments == [
        ("👎", "assistente: Scrivetemi: m****i@e****.it, ********67"),
        ("👍", "assistente: Chiaro e veloce"),
    ]
    assert "mario.rossi" not in page.text and "1234567" not in page.text


def test_the_csv_export_has_the_rating_columns(client):
    rate("web-a", "assistente", True)
    rate("web-b", "assistente", False)
    rate("web-c", "assistente", True)
    today = datetime.now(ITALY).date()
    yesterday = today - timedelta(days=1)

    export = client.get(f"/console/analisi/esporta?dal={yesterday}&al={today}")

    header, *rows = list(csv.reader(io.StringIO(export.text)))
    assert header[-len(RATING_COLUMNS) :] == RATING_COLUMNS
    assert [row[:1] + row[-6:] for row in rows] == [
        [yesterday.isoformat(), "0", "0", "", "0", "0", ""],
        [today.isoformat(), "2", "1", "0.667", "0", "0", ""],
    ]
