"""The console's pure parts: exports, filters from the query string, redirects, periods."""

import csv
import io
import json
from datetime import UTC, date, datetime

from starlette.datastructures import QueryParams

from console import exports
from console.analytics_pages import MAX_DAYS, period
from console.app import HOME, next_page
from console.conversation_pages import filters_from, masked, readable
from console.conversations import ConversationRow, Turn
from console.pages import percent

AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def row() -> ConversationRow:
    return ConversationRow(
        id=41,
        sender_id="abc",
        channel="web",
        started_at=AT,
        last_at=AT,
        user_messages=1,
        events=5,
        outcome="answered",
        outcome_it="risposta data",
        preview="ciao",
    )


def turn(kind: str, text: str, **extra) -> Turn:
    values = dict(
        event_id=7, at=AT, kind=kind, text=text, intent=None, confidence=None, name=None, buttons=[]
    )
    return Turn(**(values | extra))


def test_masked_hides_personal_data_in_texts_and_buttons():
    [shown] = masked([turn("bot", "scrivi a mario.rossi@gmail.it", buttons=["3331234567"])])
    assert "mario.rossi" not in shown.text and shown.buttons == ["********67"]


def test_csv_export_has_one_row_per_message_and_defuses_formulas():
    turns = [
        turn("user", '=HYPERLINK("http://x")', intent="faq_browser", confidence=0.912),
        turn("action", "", name="action_listen"),
        turn("bot", "Usa Chrome."),
    ]
    rows = list(csv.DictReader(io.StringIO(exports.as_csv([(row(), turns)]))))
    assert [r["chi"] for r in rows] == ["cliente", "assistente"]
    assert rows[0]["testo"].startswith("'=") and rows[0]["confidenza"] == "0.912"
    assert rows[0]["conversazione"] == "41" and rows[0]["esito"] == "answered"


def test_json_export_keeps_the_conversation_and_its_messages():
    [conversation] = json.loads(exports.as_json([(row(), [turn("user", "è già le 9?")])]))
    assert conversation["conversazione"] == 41 and conversation["canale"] == "web"
    assert conversation["messaggi"][0]["testo"] == "è già le 9?"


def test_export_response_is_a_download():
    response = exports.response("json", [], "conversazioni")
    assert response.headers["content-disposition"] == 'attachment; filename="conversazioni.json"'
    assert exports.response("xls", [], "x").media_type.startswith("text/csv")


def test_filters_keep_only_known_values():
    params = QueryParams("q=+ciao+&dal=2026-11-01&al=ieri&canale=fax&esito=fallback&intento=")
    filters = filters_from(params)
    assert (filters.text, filters.since, filters.until) == ("ciao", date(2026, 11, 1), None)
    assert (filters.channel, filters.outcome, filters.intent) == (None, "fallback", None)


def test_after_login_only_console_pages():
    assert next_page("/console/richieste?vista=mie") == "/console/richieste?vista=mie"
    for elsewhere in ("https://evil.example/", "//evil.example/console/", "/api/chat", None):
        assert next_page(elsewhere) == HOME


def test_period_defaults_to_30_days_and_is_capped_at_a_year():
    since, until = period(QueryParams("al=2026-11-26"))
    assert (since, until) == (date(2026, 10, 28), date(2026, 11, 26))
    since, until = period(QueryParams("dal=2026-11-26&al=2020-01-01"))
    assert until == date(2026, 11, 26) and (until - since).days == MAX_DAYS - 1


def test_the_transcript_leaves_out_the_flows_bookkeeping():
    turns = [
        turn("slot", "richiamata_nome", name="requested_slot"),
        turn("slot", "0", name="tentativi"),
        turn("slot", None, name="richiamata_nome"),
        turn("slot", "Mario Verdi", name="richiamata_nome"),
        turn("form", None, name="richiamata_form"),
    ]
    assert [(t.kind, t.text) for t in readable(turns)] == [
        ("slot", "Mario Verdi"),
        ("form", None),
    ]


def test_percentages_are_written_the_italian_way():
    assert (percent(0.056, 1), percent(0.83), percent(0.0)) == ("5,6%", "83%", "0%")
