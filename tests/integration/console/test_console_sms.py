"""The analytics page shows staff the SMS budget: sent, refused, what is left this hour."""

import re

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.testclient import TestClient

from backend import bootstrap, db, staff
from backend.sms_budget import SmsRefused
from console.app import make_console
from console.auth import SESSION_COOKIE
from tests.support.registration import start_new_person as start


@pytest.fixture
def backend_url(tmp_path, configure) -> str:
    url = f"sqlite:///{tmp_path / 'sportello.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    engine.dispose()
    configure(DATABASE_URL=url, SMS_HOURLY_BUDGET="50")
    return url


def figures(html: str) -> dict[str, str]:
    """The page's SMS figures, by their label."""
    section = html[html.index('id="sms"') : html.index('id="non-compresi"')]
    kpis = re.findall(r'<span class="value">(\d+)</span> ([^<]+)</li>', section)
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', section)
    return {label.strip(): value for value, label in kpis} | dict(rows)


def test_staff_see_sms_sent_refused_and_the_budget_left(backend_url, index):
    for _ in range(3):  # one client: three flows, then a refusal
        start(bootstrap.unit_of_work())
    with pytest.raises(SmsRefused):
        start(bootstrap.unit_of_work())
    anna = staff.add_staff(bootstrap.unit_of_work(), "anna", "agent", "Console#2024")
    token, _ = staff.open_session(bootstrap.unit_of_work(), anna)
    web = Starlette(routes=[Mount("/console", app=make_console(index))])
    with TestClient(web) as client:
        client.cookies.set(SESSION_COOKIE, token, path="/console")
        page = client.get("/console/analisi")
    assert page.status_code == 200
    assert figures(page.text) == {
        "inviati nell'ultima ora": "3",
        "rifiutati nell'ultima ora": "1",
        "ancora disponibili su 50 all'ora": "47",
        "Inviati": "3",
        "Rifiutati: troppi SMS allo stesso numero": "0",
        "Rifiutati: troppe richieste dallo stesso cliente": "1",
        "Rifiutati: limite orario del servizio": "0",
    }
