"""Account deletion steps against the fake backend: the password is the confirmation."""

from rasa_sdk.events import SlotSet

from actions.account_deletion import ActionAskDeletionPassword, ValidateDeletionForm
from backend import supplies
from tests.support.portal_data import add_pod
from tests.unit.actions.conftest import RATING_OFFERED, tracker
from tests.unit.backend.backend_fakes import add_active_account

FORM = "cancellazione_form"
CF = "RSSMRA85T10A562S"


def asked(text: str, account: int, intent: str = "inform"):
    slots = {"requested_slot": "cancellazione_password", "account": account}
    return tracker(text, slots=slots, form=FORM, intent=intent)


def test_a_logged_in_customer_skips_the_login(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, messages = run(ValidateDeletionForm(), tracker(slots={"account": account}, form=FORM))
    assert events == [
        SlotSet("accesso_email", "già autenticato"),
        SlotSet("accesso_password", "già autenticato"),
    ]
    assert messages == []


def test_without_login_the_flow_asks_to_log_in_first(run, uow):
    events, messages = run(ValidateDeletionForm(), tracker(form=FORM))
    assert events == []
    assert messages[0]["response"] == "utter_accesso_necessario"


def test_the_right_password_deletes_the_account_and_logs_out(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, messages = run(ValidateDeletionForm(), asked("Sportello#1", account))
    assert events == [
        SlotSet("accesso_email", None),
        SlotSet("accesso_password", None),
        SlotSet("cancellazione_password", None),
        SlotSet("tentativi", 0),
        SlotSet("account", None),
        *RATING_OFFERED,
        SlotSet("requested_slot", None),
    ]
    assert messages[0]["response"] == "utter_cancellazione_completata"
    assert uow.accounts.get(account) is None
    assert uow.messages_to("mario@example.it")[-1].subject
    assert "Sportello#1" not in str(events)


def test_a_wrong_password_deletes_nothing(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, messages = run(ValidateDeletionForm(), asked("Sbagliata#1", account))
    assert events == [SlotSet("tentativi", 1)]
    assert "non è stato eliminato" in messages[0]["text"]
    assert uow.accounts.get(account) is not None


def test_annulla_never_reaches_the_backend_as_a_password(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, messages = run(ValidateDeletionForm(), asked("annulla", account, intent="annulla"))
    assert (events, messages) == ([], [])
    assert uow.audit.find(event="account_delete_failed") == []


def test_the_confirmation_names_what_will_be_deleted(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    add_pod(uow, "IT001E12345678", CF, "residential")
    supplies.link_supply(uow, account, "IT001E12345678")
    events, [summary, ask] = run(ActionAskDeletionPassword(), tracker(slots={"account": account}))
    assert events == []
    assert "definitiva" in summary["text"] and "m****o@e****.it" in summary["text"]
    assert "collegamenti del profilo alle tue forniture: 1, IT001E12345678" in summary["text"]
    assert "deleghe date e ricevute: nessuna" in summary["text"]
    # What it does not delete: the supply and its contract are not the portal's to end.
    assert "forniture di energia elettrica e i relativi contratti non cambiano" in summary["text"]
    assert ask["response"] == "utter_cancellazione_chiedi_password"
