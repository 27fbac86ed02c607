"""The numbers the answers quote are the configured ones: set at session start, never typed."""

import re

from actions.configuration import CODE_MINUTES_SLOT, PASSWORD_CHANGE_HOURS_SLOT
from actions.contract import is_secret_slot
from actions.portal_login import ActionSessionStart
from tests.unit.actions.test_portal_login import session_start, started

RULE_SLOTS = {CODE_MINUTES_SLOT, PASSWORD_CHANGE_HOURS_SLOT}


def rules_set(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("name") in RULE_SLOTS}


def test_every_session_starts_with_the_configured_rules(run, configure):
    configure(CODE_TTL_MINUTES="30", PASSWORD_CHANGE_HOURS="24")
    events, _ = run(ActionSessionStart(), session_start())
    assert rules_set(events) == {"codice_minuti": 30, "cambio_password_ore": 24}
    configure(CODE_TTL_MINUTES="45", PASSWORD_CHANGE_HOURS="12")
    events, _ = run(ActionSessionStart(), session_start(slots={"codice_minuti": 30}))
    assert started(events)
    assert rules_set(events) == {"codice_minuti": 45, "cambio_password_ore": 12}


def response_texts(domain) -> list[str]:
    return [
        variation["text"]
        for variations in domain["responses"].values()
        for variation in variations
        if "text" in variation
    ]


def test_no_answer_types_a_number_of_minutes_or_hours(domain):
    typed = [t for t in response_texts(domain) if re.search(r"\b\d+\s+(minut[oi]|or[ae])\b", t)]
    assert typed == []


def test_the_answers_quote_the_rules_through_declared_slots(domain):
    quoted = {name for text in response_texts(domain) for name in re.findall(r"{(\w+)}", text)}
    assert quoted >= RULE_SLOTS
    for slot in RULE_SLOTS:
        assert domain["slots"][slot]["influence_conversation"] is False
        # A secret slot's value is stored as "[riservato]", and the answer would quote that.
        assert not is_secret_slot(slot)
