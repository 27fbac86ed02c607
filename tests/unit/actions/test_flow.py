"""The manners every flow shares, shown on registration: retries, interruptions, cancel,
digressions, the end of a task and an unexpected failure."""

import logging

import pytest
from rasa_sdk.events import ActiveLoop, SlotSet

from actions import session
from actions.flow import ActionCancel
from actions.registration import ValidateRegistrationForm
from actions.session import ActionLogout
from backend import accounts
from tests.unit.actions.conftest import closed, tracker

FORM = "registrazione_form"


def asked(slot: str, text: str, **kwargs):
    slots = {"requested_slot": slot, **kwargs.pop("slots", {})}
    return tracker(text, slots=slots, form=FORM, **kwargs)


def test_a_valid_answer_fills_the_slot_and_resets_the_tries(run):
    events, messages = run(
        ValidateRegistrationForm(), asked("registrazione_tipo", "sono un'azienda")
    )
    assert events == [SlotSet("tentativi", 0), SlotSet("registrazione_tipo", "company")]
    assert messages == []


def test_a_wrong_answer_is_reasked_with_the_reason_and_counted(run):
    events, messages = run(
        ValidateRegistrationForm(), asked("registrazione_codice_fiscale", "non lo so")
    )
    assert events == [SlotSet("tentativi", 1)]
    assert "Codice Fiscale non è valido" in messages[0]["text"]


def test_the_third_wrong_answer_ends_the_flow_with_help_online(run):
    on = asked(
        "registrazione_codice_fiscale",
        "boh",
        slots={"tentativi": 2, "registrazione_tipo": "person"},
    )
    events, messages = run(ValidateRegistrationForm(), on)
    assert [m.get("response") for m in messages] == [None, "utter_flusso_help_online"]
    assert SlotSet("registrazione_tipo", None) in events
    assert events[-1] == SlotSet("requested_slot", None)


def test_a_confident_faq_question_is_left_to_the_rules(run):
    on = asked("registrazione_email", "la pec va bene?", intent="info_pec", confidence=0.95)
    assert run(ValidateRegistrationForm(), on) == ([], [])


def test_a_confident_faq_question_interrupts_even_a_free_text_answer(run):
    on = asked("registrazione_nome", "come mi registro", intent="faq_come_registrarsi")
    assert run(ValidateRegistrationForm(), on) == ([], [])


def test_a_name_that_looks_out_of_scope_is_still_a_name(run):
    on = asked("registrazione_nome", "Anna De Santis", intent="out_of_scope", confidence=0.8)
    events, _ = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_nome", "Anna|De Santis") in events


def test_a_password_that_reads_like_an_faq_is_not_an_interruption(run):
    on = asked("registrazione_password", "password1", intent="faq_password_dimenticata")
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert "almeno un carattere maiuscolo" in messages[0]["text"]


def test_cancel_empties_the_form_and_ends_it(run, domain):
    on = tracker("annulla", slots={"registrazione_tipo": "person"}, form=FORM)
    events, messages = run(ActionCancel(), on)
    assert messages == [{**messages[0], "response": "utter_annullato"}]
    assert SlotSet("registrazione_tipo", None) in events
    assert events[-1] == ActiveLoop(None)


def test_cancel_with_nothing_in_progress_says_so(run):
    events, messages = run(ActionCancel(), tracker("annulla"))
    assert events == [] and messages[0]["response"] == "utter_niente_da_annullare"


# ---------------------------------------------------------------- conversation repair


def back_after_digression(slot: str, text: str, digressions: int = 0, **kwargs):
    """The form runs again after the rules answered ``text``, as Rasa sends the tracker."""
    on = asked(slot, text, slots={"digressioni": digressions, **kwargs.pop("slots", {})}, **kwargs)
    on.events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text},
        {"event": "action", "name": "utter_info_pec"},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": FORM},  # Rasa adds the form's own run
    ]
    return on


def test_a_message_is_validated_as_an_answer_when_the_form_runs_right_after_it(run):
    on = asked("registrazione_tipo", "privato")
    on.events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "privato"},
        {"event": "action", "name": FORM},
    ]
    events, _ = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_tipo", "person") in events


def test_the_first_digression_is_counted_and_the_question_asked_again(run):
    on = back_after_digression("registrazione_email", "la pec va bene?", intent="info_pec")
    assert run(ValidateRegistrationForm(), on) == ([SlotSet("digressioni", 1)], [])


def test_the_second_digression_in_a_row_asks_whether_to_go_on(run):
    on = back_after_digression("registrazione_email", "e il pod?", digressions=1)
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("digressioni", 2), SlotSet("requested_slot", "continua_flusso")]
    assert messages == [
        {**messages[0], "response": "utter_continuare", "compito": "la registrazione"}
    ]


def test_yes_goes_back_to_the_paused_question(run):
    on = asked("continua_flusso", "sì", intent="affirm", slots={"digressioni": 2})
    assert run(ValidateRegistrationForm(), on) == ([SlotSet("digressioni", 0)], [])


def test_no_ends_the_flow_saying_what_was_kept(run):
    slots = {"digressioni": 2, "registrazione_tipo": "person", "account": None}
    events, messages = run(
        ValidateRegistrationForm(), asked("continua_flusso", "no", intent="deny", slots=slots)
    )
    [stopped] = closed(messages, rated=False)
    assert stopped["text"].startswith("Va bene, interrompo la registrazione.")
    assert "puoi ricominciarla" in stopped["text"]
    assert SlotSet("registrazione_tipo", None) in events and SlotSet("digressioni", 0) in events
    assert events[-1] == SlotSet("requested_slot", None)


def test_the_paused_question_can_be_answered_instead_of_yes(run):
    slots = {"digressioni": 2, "registrazione_tipo": "person", "registrazione_nome": "A|B"}
    on = asked("continua_flusso", "RSSMRA85T10A562S", slots=slots)
    events, _ = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_codice_fiscale", "RSSMRA85T10A562S") in events
    assert SlotSet("digressioni", 0) in events


def test_an_answer_ends_a_run_of_digressions(run):
    on = asked("registrazione_tipo", "privato", slots={"digressioni": 1})
    events, _ = run(ValidateRegistrationForm(), on)
    assert SlotSet("digressioni", 0) in events


@pytest.mark.parametrize(
    ("slot", "text", "intent"),
    [
        ("registrazione_codice_fiscale", "dove trovo i servizi", "faq_consultare_servizi"),
        ("registrazione_email", "ciao, posso chiederti una cosa?", "greet"),
        ("registrazione_cellulare", "posso parlare con qualcuno?", "human_handoff"),
        ("registrazione_sms_otp", "quanto vale il codice che mi mandate", "info_durata_codice"),
    ],
)
def test_a_question_without_a_value_is_not_a_wrong_answer(run, slot, text, intent):
    """Above the NLU's own threshold (0.4), though below the usual 0.6: no strike."""
    on = asked(slot, text, intent=intent, confidence=0.45, slots={"registrazione_tipo": "person"})
    assert run(ValidateRegistrationForm(), on) == ([], [])


def test_a_message_with_a_value_in_it_is_still_an_answer(run):
    on = asked(
        "registrazione_codice_fiscale",
        "il mio cf è RSSMRA80A01H50 giusto?",
        intent="faq_modifica_codice_fiscale",
        confidence=0.45,
        slots={"registrazione_tipo": "person"},
    )
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert "Codice Fiscale non è valido" in messages[0]["text"]


def test_a_statement_without_a_value_is_a_wrong_answer_unless_the_nlu_is_sure(run):
    on = asked(
        "registrazione_codice_fiscale",
        "non me lo ricordo",
        intent="faq_username_dimenticata",
        confidence=0.5,
        slots={"registrazione_tipo": "person"},
    )
    events, _ = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)]


def test_an_unsure_guess_stays_a_wrong_answer(run):
    on = asked("registrazione_email", "boh non saprei", intent="faq_browser", confidence=0.3)
    events, _ = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)]


# ---------------------------------------------------------------- internal error


class DatabaseDown(Exception):
    pass


def test_an_unexpected_failure_apologises_ends_the_flow_and_logs_no_text(run, monkeypatch, caplog):
    def fail(*args, **kwargs):
        raise DatabaseDown("connection refused while saving 333 999 8877")

    monkeypatch.setattr(accounts, "start_registration", fail)
    slots = {
        "registrazione_tipo": "person",
        "registrazione_nome": "Anna|Neri",
        "registrazione_codice_fiscale": "RSSMRA85T10A562S",
        "registrazione_rappresentante": "non richiesto",
        "registrazione_email": "anna@example.it",
    }
    on = asked("registrazione_cellulare", "333 999 8877", slots=slots)
    with caplog.at_level(logging.ERROR):
        events, messages = run(ValidateRegistrationForm(), on)
    assert [m["response"] for m in messages] == ["utter_errore_interno"]
    assert SlotSet("registrazione_email", None) in events
    assert SlotSet("registrazione_account", None) in events
    assert events[-1] == ActiveLoop(None)
    assert "DatabaseDown" in caplog.text and "validate_registrazione_form" in caplog.text
    assert "8877" not in caplog.text and "anna" not in caplog.text


def test_a_failure_outside_any_flow_only_apologises(run, monkeypatch):
    def fail(tracker):
        raise RuntimeError("boom")

    monkeypatch.setattr(session, "logged_in", fail)
    events, messages = run(ActionLogout(), tracker("esci"))
    assert events == [] and [m["response"] for m in messages] == ["utter_errore_interno"]
