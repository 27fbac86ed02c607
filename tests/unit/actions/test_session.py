"""Login steps against the fake backend: password, or a code by SMS asked for at the same step."""

import pytest
from rasa_sdk.events import SlotSet

from actions.delegation_management import ValidateMyDelegationsForm
from actions.practices import ValidatePracticeStatusForm, ValidateTransferForm
from actions.session import (
    ActionAskLoginPassword,
    ValidateLoginForm,
    asks_for_login_code,
)
from actions.supplies import ValidateSuppliesForm
from tests.unit.actions.conftest import logged, tracker
from tests.unit.backend.backend_fakes import add_active_account

EMAIL = "mario.rossi@example.it"
MOBILE = "+393331234567"
FORM = "accesso_form"


@pytest.fixture
def account(uow) -> int:
    return add_active_account(uow, EMAIL, "RSSMRA85T10A562S")


def password_step(text: str, email: str = EMAIL, **slots):
    values = {"requested_slot": "accesso_password", "accesso_email": email, **slots}
    return tracker(text, slots=values, form=FORM)


@pytest.mark.parametrize(
    "text",
    ["mandami un codice", "accedo con l'sms", "non ricordo la password, mandami un codice", "sms"],
)
def test_these_ask_for_a_code(text):
    assert asks_for_login_code(text)


@pytest.mark.parametrize("text", ["Sportello#1", "Codice#2024", "sms#Forte1"])
def test_passwords_are_not_requests(text):
    assert not asks_for_login_code(text)


def test_asking_for_a_code_texts_the_validated_mobile(run, uow, account):
    events, messages = run(ValidateLoginForm(), password_step("mandami un codice"))
    assert events == [SlotSet("tentativi", 0), SlotSet("accesso_codice", "richiesto")]
    assert [m["response"] for m in messages] == ["utter_accesso_codice_inviato"]
    assert len(uow.last_code(MOBILE)) == 6


def test_an_unknown_email_gets_the_same_answer_and_no_sms(run, uow, account):
    events, messages = run(ValidateLoginForm(), password_step("sms", email="x@example.it"))
    assert events == [SlotSet("tentativi", 0), SlotSet("accesso_codice", "richiesto")]
    assert [m["response"] for m in messages] == ["utter_accesso_codice_inviato"]
    assert uow.outbox.find() == []


def test_the_code_logs_in_at_the_same_step(run, uow, account):
    run(ValidateLoginForm(), password_step("accedo con l'sms"))
    code = uow.last_code(MOBILE)
    on = password_step(f"{code[:3]} {code[3:]}", accesso_codice="richiesto")
    events, messages = run(ValidateLoginForm(), on)
    assert events == logged(account)
    assert [m["response"] for m in messages] == ["utter_accesso_riuscito"]
    assert code not in str(events)


def test_a_wrong_code_is_reasked_like_a_wrong_password(run, uow, account):
    run(ValidateLoginForm(), password_step("mandami un codice"))
    wrong = f"{(int(uow.last_code(MOBILE)) + 1) % 10**6:06d}"
    events, messages = run(ValidateLoginForm(), password_step(wrong, accesso_codice="richiesto"))
    assert events == [SlotSet("tentativi", 1)]
    assert messages[0]["text"].startswith("Il codice non è corretto o non è più valido.")


def test_the_password_still_logs_in(run, uow, account):
    events, _ = run(ValidateLoginForm(), password_step("Sportello#1", accesso_codice="richiesto"))
    assert events == logged(account)


def test_the_question_asks_for_the_code_once_it_was_sent(run):
    _, messages = run(ActionAskLoginPassword(), password_step("", accesso_codice="richiesto"))
    assert [m["response"] for m in messages] == ["utter_ask_accesso_codice"]
    _, messages = run(ActionAskLoginPassword(), password_step(""))
    assert [m["response"] for m in messages] == ["utter_ask_accesso_password"]


def test_a_new_login_forgets_an_old_code_request(run):
    on = tracker("voglio accedere", slots={"accesso_codice": "richiesto"}, form=FORM)
    events, _ = run(ValidateLoginForm(), on)
    assert events == [SlotSet("accesso_codice", None)]


@pytest.mark.parametrize(
    "form",
    [ValidateSuppliesForm, ValidatePracticeStatusForm, ValidateMyDelegationsForm,
     ValidateTransferForm],
)  # fmt: skip
def test_a_flow_that_shows_after_the_login_waits_for_the_code_too(run, uow, account, form):
    flow = form()
    slots = {"requested_slot": "accesso_password", "accesso_email": EMAIL}
    events, messages = run(flow, tracker("mandami un codice", slots=slots, form=flow.form))
    assert events == [SlotSet("tentativi", 0), SlotSet("accesso_codice", "richiesto")]
    assert [m["response"] for m in messages] == ["utter_accesso_codice_inviato"]
    code = uow.last_code(MOBILE)
    on = tracker(code, slots={**slots, "accesso_codice": "richiesto"}, form=flow.form)
    events, messages = run(flow, on)
    assert SlotSet("account", account) in events
    assert messages[0]["response"] == "utter_accesso_riuscito"
