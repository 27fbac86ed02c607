"""The manners every flow shares, shown on registration: retries, interruptions, cancel."""

from rasa_sdk.events import ActiveLoop, SlotSet

from actions.flow import ActionCancel
from actions.registration import ValidateRegistrationForm
from tests.unit.actions.conftest import tracker

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
