"""POD linking and the supplies list against the fake backend."""

from rasa_sdk.events import SlotSet

from actions.session import RENEWAL
from actions.supplies import PORTAL_LIST, ValidateLinkPodForm, ValidateSuppliesForm
from backend import supplies
from tests.support.portal_data import add_pod
from tests.unit.actions.conftest import RATING_OFFERED, closed, logged, tracker
from tests.unit.backend.backend_fakes import add_active_account

CF = "RSSMRA85T10A562S"
OTHER_CF = "BNCGLI90A41H501E"
LINK_DONE = [
    SlotSet("accesso_email", None),
    SlotSet("accesso_password", None),
    SlotSet("collega_pod_codice", None),
    SlotSet("tentativi", 0),
    *RATING_OFFERED,
    SlotSet("requested_slot", None),
]
LIST_DONE = [
    SlotSet("accesso_email", None),
    SlotSet("accesso_password", None),
    SlotSet("tentativi", 0),
    *RATING_OFFERED,
    SlotSet("requested_slot", None),
]


def pod_asked(text: str, account: int):
    slots = {"requested_slot": "collega_pod_codice", "account": account}
    return tracker(text, slots=slots, form="collega_pod_form")


def test_the_customer_s_own_pod_is_linked_and_its_services_shown(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    add_pod(uow, "IT001E12345678", CF, "producer", "Via Roma 1")
    events, messages = run(ValidateLinkPodForm(), pod_asked("è it001e 1234 5678", account))
    [message] = closed(messages)
    assert events == LINK_DONE
    assert message["text"].startswith("Fatto: ho collegato il POD")
    assert (
        "POD IT001E12345678 – Via Roma 1, tipologia Produttore di energia rinnovabile."
        in message["text"]
    )
    assert "Visualizzazione delle letture dei produttori" in message["text"]
    # The list is configuration the business confirms: the portal has the real one.
    assert message["text"].endswith(PORTAL_LIST)
    assert [s.pod_code for s in uow.supplies.find(account_id=account)] == ["IT001E12345678"]


def test_someone_else_s_pod_is_refused_and_nothing_linked(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    add_pod(uow, "IT001E12345678", OTHER_CF, "residential")
    events, [message] = run(ValidateLinkPodForm(), pod_asked("IT001E12345678", account))
    assert events == [SlotSet("tentativi", 1)]
    assert "non risulta associato" in message["text"]
    assert uow.supplies.find() == []


def test_a_malformed_pod_gets_the_format(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, [message] = run(ValidateLinkPodForm(), pod_asked("IT002X123", account))
    assert events == [SlotSet("tentativi", 1)]
    assert "IT001E12345678" in message["text"]


def test_a_logged_in_customer_gets_the_list_at_once(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    add_pod(uow, "IT001E12345678", CF, "residential")
    supplies.link_supply(uow, account, "IT001E12345678")
    on = tracker(slots={"account": account}, form="forniture_form")
    events, messages = run(ValidateSuppliesForm(), on)
    [message] = closed(messages)
    assert events == LIST_DONE
    assert "Le tue forniture:\nPOD IT001E12345678, tipologia Residenziale." in message["text"]
    assert message["text"].endswith(PORTAL_LIST)
    assert "Verifica del corretto funzionamento del contatore" in message["text"]


def test_no_supplies_offers_to_link_one(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    on = tracker(slots={"account": account}, form="forniture_form")
    events, messages = run(ValidateSuppliesForm(), on)
    [message] = closed(messages)
    assert events == LIST_DONE and message["response"] == "utter_forniture_nessuna"


def test_the_list_follows_the_login(run, uow):
    account = add_active_account(uow, "mario@example.it", CF)
    events, [ask_login] = run(ValidateSuppliesForm(), tracker(form="forniture_form"))
    assert events == []
    assert ask_login["response"] == "utter_accesso_necessario"
    slots = {"requested_slot": "accesso_password", "accesso_email": "mario@example.it"}
    on = tracker("Sportello#1", slots=slots, form="forniture_form")
    events, messages = run(ValidateSuppliesForm(), on)
    [login, renewal, listed] = closed(messages)
    assert events == [*logged(account)[:-1], *RATING_OFFERED, logged(account)[-1]]
    assert login["response"] == "utter_accesso_riuscito"
    assert renewal["custom"] == RENEWAL["json_message"]
    assert listed["response"] == "utter_forniture_nessuna"
