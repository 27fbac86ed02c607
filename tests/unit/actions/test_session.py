"""Login steps against the fake backend: the portal's password, and no login by code."""

import pytest
from rasa_sdk.events import SlotSet

from actions.delegation_management import ValidateMyDelegationsForm
from actions.practices import ValidatePracticeStatusForm, ValidateTransferForm
from actions.session import RENEWAL, ValidateLoginForm, asks_for_login_code
from actions.supplies import ValidateSuppliesForm
from tests.unit.actions.conftest import closed, logged, tracker
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


def test_asking_for_a_code_sends_none_and_counts_no_failed_login(run, uow, account):
    """The portal has no login by code: what it guards with the password (a delega, the
    deletion, a new username) never opens to a code alone."""
    events, messages = run(ValidateLoginForm(), password_step("mandami un codice"))
    assert events == [SlotSet("tentativi", 0)]  # the password is asked again
    assert [m["response"] for m in messages] == ["utter_accesso_solo_password"]
    assert uow.outbox.find() == [] and uow.codes.find() == []
    assert uow.audit.find(event="login_failed") == []


def test_six_digits_are_tried_as_a_password_not_as_a_code(run, uow, account):
    events, messages = run(ValidateLoginForm(), password_step("123456"))
    assert events == [SlotSet("tentativi", 1)]
    assert messages[0]["text"] == "Username o password non corretti."


def test_the_password_logs_in(run, uow, account):
    events, messages = run(ValidateLoginForm(), password_step("Sportello#1"))
    assert events == logged(account)
    login, renewal = closed(messages, rated=False)
    assert login["response"] == "utter_accesso_riuscito"
    # The web app gives the client a new credential: one from before the login is refused.
    assert renewal["custom"] == RENEWAL["json_message"]


@pytest.mark.parametrize(
    "form",
    [ValidateSuppliesForm, ValidatePracticeStatusForm, ValidateMyDelegationsForm,
     ValidateTransferForm],
)  # fmt: skip
def test_every_flow_behind_the_login_wants_the_password(run, uow, account, form):
    flow = form()
    slots = {"requested_slot": "accesso_password", "accesso_email": EMAIL}
    events, messages = run(flow, tracker("mandami un codice", slots=slots, form=flow.form))
    assert events == [SlotSet("tentativi", 0)]
    assert [m["response"] for m in messages] == ["utter_accesso_solo_password"]
    events, messages = run(flow, tracker("Sportello#1", slots=slots, form=flow.form))
    assert SlotSet("account", account) in events
    assert messages[0]["response"] == "utter_accesso_riuscito"
