"""The rules and links the answers quote are the configured ones (and the one password rule
the registration enforces): set at session start, never typed."""

import re

from actions.configuration import (
    CODE_MINUTES_SLOT,
    OPERATOR_HOURS_SLOT,
    PASSWORD_CHANGE_HOURS_SLOT,
    PASSWORD_RULE_SLOT,
)
from actions.contract import is_secret_slot
from actions.portal_login import ActionSessionStart
from backend.validators import PASSWORD_RULE_IT
from tests.unit.actions.test_portal_login import session_start, started

RULE_SLOTS = {
    CODE_MINUTES_SLOT,
    PASSWORD_CHANGE_HOURS_SLOT,
    PASSWORD_RULE_SLOT,
    OPERATOR_HOURS_SLOT,
    "link_help_online",
    "link_registrazione",
    "link_area_produttori",
}


def rules_set(events) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("name") in RULE_SLOTS}


def test_every_session_starts_with_the_configured_rules(run, configure):
    configure(CODE_TTL_MINUTES="30", PASSWORD_CHANGE_HOURS="24")
    events, _ = run(ActionSessionStart(), session_start())
    assert {k: rules_set(events)[k] for k in ("codice_minuti", "cambio_password_ore")} == {
        "codice_minuti": 30,
        "cambio_password_ore": 24,
    }
    configure(
        CODE_TTL_MINUTES="45",
        PASSWORD_CHANGE_HOURS="12",
        ORARI_OPERATORI="lun-gio 9-17",
        HELP_ONLINE_URL="https://www.esempio.it/help-online",
        REGISTRATION_URL="https://www.esempio.it/registrazione",
        PRODUCER_REGISTRATION_URL="https://www.esempio.it/produttori",
    )
    events, _ = run(ActionSessionStart(), session_start(slots={"codice_minuti": 30}))
    assert started(events)
    assert rules_set(events) == {
        "codice_minuti": 45,
        "cambio_password_ore": 12,
        "password_requisiti": PASSWORD_RULE_IT,
        "orari_operatori": "dal lunedì al giovedì dalle 9 alle 17",
        "link_help_online": "https://www.esempio.it/help-online",
        "link_registrazione": "https://www.esempio.it/registrazione",
        "link_area_produttori": "https://www.esempio.it/produttori",
    }


def test_the_password_rule_reads_the_same_in_the_faq_answer_and_at_every_password_step(domain):
    """One rule, from backend.validators: the FAQ answer, the registration's and the reset's
    questions all quote the slot the session start fills with it."""
    for response in (
        "utter_info_requisiti_password",
        "utter_ask_registrazione_password",
        "utter_ask_recupero_password_nuova_password",
        "utter_faq_come_registrarsi",
    ):
        for variation in domain["responses"][response]:
            assert "deve contenere {password_requisiti}" in variation["text"], response
            assert not re.search(
                r"caratter[ei]|maiuscol|speciale",
                variation["text"].replace("{password_requisiti}", ""),
            ), f"{response} states a password rule of its own"


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
