"""The conversation index: outcomes, incremental catch-up, search, filters, transcripts."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml

from console.conversation_outcomes import OUTCOMES, SESSION_EXPIRY_SECONDS
from console.conversation_tables import normalise
from console.conversations import ConversationIndex, Filters, day_start
from tests.support import ROOT
from tests.support.conversations import Script

HOUR = 3600.0
NUMERO_VERDE = ("qual è il numero verde?", "faq_numero_verde", "803.500")


def script(clock, sender: str, hours_ago: float = 2.0, channel: str | None = "web") -> Script:
    return Script(sender, clock.now - hours_ago * HOUR, channel).session()


def outcome(index, conversation_script: Script) -> str:
    index.catch_up()
    return index.get(first_id(index, conversation_script.sender_id)).outcome


def first_id(index, sender_id: str) -> int:
    items = index.search(Filters(), per_page=100).items
    return min(row.id for row in items if row.sender_id == sender_id)


def flows(index) -> list[tuple[str, str, str]]:
    with index.engine.connect() as db:
        rows = db.exec_driver_sql("SELECT form, outcome, last_step FROM console_flows ORDER BY id")
        return [tuple(row) for row in rows]


@pytest.mark.parametrize(
    ("story", "expected"),
    [
        (lambda s: s.faq(*NUMERO_VERDE), "answered"),
        (lambda s: s.flow("collega_pod_form"), "flow_completed"),
        (lambda s: s.flow("recupero_password_form", 1, "cancelled"), "flow_abandoned"),
        (lambda s: s.flow("recupero_password_form", 2, "given_up"), "flow_abandoned"),
        (lambda s: s.flow("collega_pod_form", 0, "left"), "flow_abandoned"),
        (lambda s: s.not_understood("asdfgh"), "fallback"),
        (lambda s: s.faq("voglio un operatore", "human_handoff", "Ecco come."), "handed_over"),
        (lambda s: s.flow("richiamata_form"), "handed_over"),
        (lambda s: s.flow("richiamata_form", 1, "cancelled"), "flow_abandoned"),
        # precedence
        (
            lambda s: s.flow("collega_pod_form", 0, "cancelled").flow("richiamata_form"),
            "handed_over",
        ),
        (
            lambda s: s.not_understood("boh").flow("collega_pod_form", 0, "cancelled"),
            "flow_abandoned",
        ),
        (lambda s: s.flow("collega_pod_form").not_understood("boh"), "fallback"),
    ],
)
def test_outcome(index, store, clock, story, expected):
    conversation = script(clock, "s1")
    story(conversation)
    store(conversation)
    assert outcome(index, conversation) == expected
    assert index.get(first_id(index, "s1")).outcome_it == OUTCOMES[expected]


def test_an_answer_nlu_does_not_understand_inside_a_form_is_not_a_fallback(index, store, clock):
    conversation = script(clock, "s1").flow("collega_pod_form", 0, "left")
    conversation.user("Mario Rossi", "nlu_fallback", 0.2)
    store(conversation)
    assert outcome(index, conversation) == "flow_abandoned"  # left unfinished two hours ago


def test_a_flow_in_progress_is_active_until_the_session_expires(index, store, clock):
    conversation = script(clock, "s1", hours_ago=0.1).flow("recupero_password_form", 1, "left")
    store(conversation)
    assert outcome(index, conversation) == "answered"
    assert flows(index) == [("recupero_password_form", "active", "recupero_password_email_otp")]

    clock.now += SESSION_EXPIRY_SECONDS
    assert index.catch_up() == 0  # no new event, but the idle flow is re-derived
    assert flows(index) == [("recupero_password_form", "abandoned", "recupero_password_email_otp")]
    assert index.get(first_id(index, "s1")).outcome == "flow_abandoned"


def test_catch_up_picks_up_the_rest_of_a_conversation(index, store, clock):
    conversation = script(clock, "s1", hours_ago=0.1, channel="telegram")
    conversation.faq(*NUMERO_VERDE).user("voglio collegare una fornitura", "collega_pod")
    conversation.action("collega_pod_form").form("collega_pod_form")
    store(conversation)
    first_batch = index.catch_up()
    row = index.get(first_id(index, "s1"))
    assert (row.user_messages, row.events, row.channel) == (2, first_batch, "telegram")
    assert index.catch_up() == 0

    conversation.slot("requested_slot", "collega_pod_codice").action("action_listen")
    conversation.user("IT001E00012345", "inform").action("collega_pod_form")
    conversation.slot("requested_slot", None).form(None).action("action_listen")
    store(conversation)
    assert index.catch_up() == 7

    again = index.get(row.id)
    assert (again.user_messages, again.events) == (3, first_batch + 7)
    assert again.outcome == "flow_completed"
    assert index.search(Filters()).total == 1
    assert flows(index) == [("collega_pod_form", "completed", "collega_pod_codice")]


def test_a_new_session_of_the_same_sender_is_a_new_conversation(index, store, clock):
    first = script(clock, "s1", hours_ago=0.2).flow("recupero_password_form", 1, "left")
    store(first)
    index.catch_up()
    assert flows(index)[0][1] == "active"

    second = Script("s1", clock.now - 60, "web").session().faq(*NUMERO_VERDE)
    store(second)
    index.catch_up()

    page = index.search(Filters())
    assert [row.sender_id for row in page.items] == ["s1", "s1"]
    newer, older = page.items
    assert newer.id > older.id
    assert older.outcome == "flow_abandoned"  # the new session ended the flow
    assert newer.preview == "qual è il numero verde?"
    assert index.conversation_at("s1", older.last_at) == older.id
    assert index.conversation_at("s1", newer.started_at + timedelta(seconds=1)) == newer.id
    assert index.conversation_at("s1", older.started_at - timedelta(seconds=1)) is None
    assert index.conversation_at("someone else", newer.last_at) is None


def test_the_transcript_is_read_fresh_and_stops_at_the_next_session(index, store, clock):
    conversation = script(clock, "s1", hours_ago=0.5).faq(*NUMERO_VERDE)
    store(conversation)
    index.catch_up()
    conversation_id = first_id(index, "s1")

    conversation.not_understood("Perché?").session().faq(*NUMERO_VERDE)  # not indexed yet
    store(conversation)
    turns = index.transcript(conversation_id)

    assert [turn.kind for turn in turns] == [
        "session", "user", "action", "bot", "user", "action", "bot",
    ]  # fmt: skip
    user, bot = turns[4], turns[6]
    assert (user.text, user.intent, user.confidence) == ("Perché?", "nlu_fallback", 0.3)
    assert bot.name == "utter_ask_affirmation"
    assert bot.buttons == ["Numero verde", "Nessuna di queste"]
    assert all(turn.at.tzinfo is UTC for turn in turns)
    assert index.transcript(10**9) == []


def test_transcript_turns_for_forms_and_slots(index, store, clock):
    store(script(clock, "s1").flow("collega_pod_form", 1, "cancelled"))
    index.catch_up()
    turns = index.transcript(first_id(index, "s1"))
    forms = [turn.name for turn in turns if turn.kind == "form"]
    slots = [(turn.name, turn.text) for turn in turns if turn.kind == "slot"]
    assert forms == ["collega_pod_form", None]
    assert ("collega_pod_codice", "IT001E00012345") in slots
    assert slots[-1] == ("requested_slot", None)


def test_search_ignores_case_and_accents_and_needs_every_word(index, store, clock):
    store(
        script(clock, "accents").faq("PERCHÉ il codice non arriva?", "faq_otp", "Attendi."),
        script(clock, "plain").faq("perche non posso entrare", "faq_accesso", "Prova così."),
        script(clock, "other").faq(*NUMERO_VERDE),
    )
    index.catch_up()

    def senders(text: str) -> set[str]:
        return {row.sender_id for row in index.search(Filters(text=text)).items}

    assert senders("perché") == senders("PERCHE") == {"accents", "plain"}
    assert senders("perche codice") == {"accents"}
    assert senders("cosi") == {"plain"}  # the bot's replies count too
    assert senders("100%") == senders("_") == set()  # no wildcards
    assert senders("   ") == {"accents", "plain", "other"}


def test_filters(index, store, clock):
    store(
        script(clock, "web-faq").faq(*NUMERO_VERDE),
        script(clock, "tg-person", channel="telegram").faq("operatore", "human_handoff", "Ok"),
        script(clock, "plain-flow", channel=None).flow("collega_pod_form"),
        Script("silent", clock.now - HOUR, "web").session(),  # the user wrote nothing
    )
    index.catch_up()

    def senders(**filters) -> list[str]:
        return sorted(row.sender_id for row in index.search(Filters(**filters)).items)

    assert senders() == ["plain-flow", "tg-person", "web-faq"]
    assert senders(channel="telegram") == ["tg-person"]
    assert senders(channel="altro") == ["plain-flow"]
    assert senders(outcome="handed_over") == ["tg-person"]
    assert senders(intent="collega_pod") == ["plain-flow"]
    assert senders(intent="faq_numero_verde", channel="telegram") == []
    assert index.intents() == ["collega_pod", "faq_numero_verde", "human_handoff", "inform"]


def test_dates_are_italian_days(index, store, clock):
    day = date(2025, 3, 10)
    midnight_in_rome = day_start(day)
    assert midnight_in_rome == datetime(2025, 3, 9, 23, tzinfo=UTC).timestamp()
    before = Script("before", midnight_in_rome - 60).session().faq(*NUMERO_VERDE)
    after = Script("after", midnight_in_rome).session().faq(*NUMERO_VERDE)
    store(before, after)
    index.catch_up()

    def senders(**filters) -> list[str]:
        return [row.sender_id for row in index.search(Filters(**filters)).items]

    assert senders(since=day) == ["after"]
    assert senders(until=day - timedelta(days=1)) == ["before"]
    assert senders(since=day, until=day) == ["after"]


def test_pagination_newest_first(index, store, clock):
    store(*(script(clock, f"s{n}", hours_ago=10 - n / 10).faq(*NUMERO_VERDE) for n in range(7)))
    index.catch_up()

    first = index.search(Filters(), page=1, per_page=3)
    assert (first.total, first.pages, first.page) == (7, 3, 1)
    assert [row.sender_id for row in first.items] == ["s6", "s5", "s4"]
    last = index.search(Filters(), page=3, per_page=3)
    assert [row.sender_id for row in last.items] == ["s0"]
    assert index.search(Filters(), page=99, per_page=3).page == 3
    assert index.search(Filters(), page=0, per_page=3).page == 1
    empty = index.search(Filters(text="nessuno"), page=2)
    assert (empty.items, empty.total, empty.pages, empty.page) == ([], 0, 1, 1)


def test_two_processes_catching_up_at_once_index_everything_once(index, store, clock, tracker_url):
    scripts = [script(clock, f"s{n}").flow("collega_pod_form") for n in range(50)]
    events = sum(len(conversation.events) for conversation in scripts)
    store(*scripts)
    other = ConversationIndex(tracker_url, clock=clock)
    counts = []
    threads = [
        threading.Thread(target=lambda i=i: counts.append(i.catch_up())) for i in (index, other)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    other.engine.dispose()

    assert sorted(counts) == [0, events]  # the second one waited, then found nothing new
    assert index.search(Filters()).total == 50
    with index.engine.connect() as db:
        assert db.exec_driver_sql("SELECT count(*) FROM console_flows").scalar() == 50


def test_normalise():
    assert normalise("  Perché  NON\tfunziona l’ÀCCESSO? ") == "perche non funziona l’accesso?"


def test_the_session_expiry_is_the_domain_s():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    assert domain["session_config"]["session_expiration_time"] * 60 == SESSION_EXPIRY_SECONDS
