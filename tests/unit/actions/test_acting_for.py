"""Acting for someone (a delega received) against the fake backend: choosing the person, the
delegated services done for them, the check on every action, and «torna a me»."""

import pytest
from rasa_sdk.events import SlotSet

from actions.account_deletion import ValidateDeletionForm
from actions.acting_for import ActionAskActingChoice, ActionBackToMe, ValidateActingForForm, named
from actions.practices import ValidatePracticeStatusForm
from actions.supplies import ValidateLinkPodForm, ValidateSuppliesForm
from backend import delegations, supplies
from backend.acting import Delegator
from tests.support.portal_data import add_pod, uploaded
from tests.unit.actions.conftest import closed, tracker
from tests.unit.backend.backend_fakes import add_active_account

MARIO_CF, GIULIA_CF, ANNA_CF = "RSSMRA85T10A562S", "BNCGLI90A41H501E", "VRDNNA80A41H501U"
MARIO, GIULIA, ANNA = "mario@gmail.com", "giulia@gmail.com", "anna@gmail.com"
POD = "IT001E12345678"


@pytest.fixture
def people(uow):
    """Mario and Anna each gave Giulia a delega; Mario's is active, Anna's only asked."""
    mario = add_active_account(uow, MARIO, MARIO_CF)
    giulia = add_active_account(uow, GIULIA, GIULIA_CF, "Giulia Bianchi")
    anna = add_active_account(uow, ANNA, ANNA_CF, "Anna Verdi")
    delegation = delegations.request_delegation(uow, mario, GIULIA, 90, uploaded(uow))
    delegations.respond_logged_in(uow, giulia, delegation, True)
    delegations.request_delegation(uow, anna, GIULIA, 90, uploaded(uow))
    return mario, giulia, anna, delegation


def acting(giulia: int, mario: int, **slots) -> dict:
    return {"account": giulia, "per_conto_di": mario, "per_conto_nome": "Mario Rossi", **slots}


def response(message: dict) -> tuple[str, str]:
    """A domain response and the name it was given."""
    return message["response"], message.get("nome")


def test_the_only_delegator_is_chosen_at_once_and_audited(run, uow, people):
    mario, giulia, _, delegation = people
    on = tracker("le forniture di mio padre", slots={"account": giulia}, form="per_conto_form")
    events, messages = run(ValidateActingForForm(), on)
    [message] = closed(messages, rated=False)
    assert SlotSet("per_conto_di", mario) in events
    assert SlotSet("per_conto_nome", "Mario Rossi") in events
    assert events[-1] == SlotSet("requested_slot", None)
    assert response(message) == ("utter_per_conto_avviato", "Mario Rossi")
    [audit] = uow.audit.find(event="acted_for")
    assert audit.account_id == mario
    assert audit.details == {
        "delegate_id": giulia,
        "delegation_id": delegation,
        "action": "acting_started",
    }


def test_several_delegators_are_buttons_and_a_name_chooses(run, uow, people):
    mario, giulia, anna, _ = people
    other = delegations.list_delegations(uow, giulia)[-1].id
    delegations.respond_logged_in(uow, giulia, other, True)
    on = tracker("voglio operare per conto di qualcuno", slots={"account": giulia})
    events, messages = run(ValidateActingForForm(), on)
    assert SlotSet("accesso_password", "già autenticato") in events and messages == []
    _, [question] = run(ActionAskActingChoice(), on)
    titles = [b["title"] for b in question["buttons"]]
    assert titles == ["Mario Rossi", "Anna Verdi", "Per me"]
    asked = {"account": giulia, "requested_slot": "per_conto_scelta"}
    events, _ = run(ValidateActingForForm(), tracker("anna verdi", slots=asked))
    assert SlotSet("per_conto_di", anna) in events
    events, [message] = run(ValidateActingForForm(), tracker("il vicino", slots=asked))
    assert events == [SlotSet("tentativi", 1)]
    assert "pulsanti" in message["text"]


def test_an_account_without_an_active_delega_never_acts_for_anyone(run, uow, people):
    mario, _, anna, _ = people
    on = tracker("per conto di Mario Rossi", slots={"account": anna}, form="per_conto_form")
    events, messages = run(ValidateActingForForm(), on)
    [message] = closed(messages, rated=False)
    assert message["response"] == "utter_per_conto_nessuna_delega"
    assert SlotSet("per_conto_di", None) in events
    assert uow.audit.find(event="acted_for") == []
    # Even with the slot forged, the backend refuses and the chat stops acting.
    add_pod(uow, POD, "RSSMRA85T10A562S", "residential", "Via Roma 1")
    supplies.link_supply(uow, mario, POD)
    forged = {"account": anna, "per_conto_di": mario, "per_conto_nome": "Mario Rossi"}
    events, messages = run(ValidateSuppliesForm(), tracker(slots=forged, form="forniture_form"))
    [message] = closed(messages)
    assert response(message) == ("utter_per_conto_finito", "Mario Rossi")
    assert SlotSet("per_conto_di", None) in events


def test_the_delegate_sees_the_delegator_s_supplies_said_on_whose_behalf(run, uow, people):
    mario, giulia, _, _ = people
    add_pod(uow, POD, MARIO_CF, "residential", "Via Roma 1")
    supplies.link_supply(uow, mario, POD)
    on = tracker(slots=acting(giulia, mario), form="forniture_form")
    _, messages = run(ValidateSuppliesForm(), on)
    [message] = closed(messages)
    assert message["text"].startswith("Le forniture di Mario Rossi, per suo conto:\nPOD " + POD)
    assert uow.audit.find(event="acted_for")[-1].details["action"] == "supplies_viewed"
    assert uow.messages_to(MARIO)[-1].subject != "Un'operazione del tuo delegato"  # a look


def test_a_pod_linked_for_the_delegator_is_theirs_audited_and_mailed(run, uow, people):
    mario, giulia, _, _ = people
    add_pod(uow, POD, MARIO_CF, "residential")
    start = tracker(slots=acting(giulia, mario), form="collega_pod_form")
    events, [message] = run(ValidateLinkPodForm(), start)
    assert message["text"] == "Operi per conto di Mario Rossi."
    assert SlotSet("accesso_password", "già autenticato") in events
    asked = acting(giulia, mario, requested_slot="collega_pod_codice")
    _, messages = run(ValidateLinkPodForm(), tracker(POD, slots=asked))
    [message] = closed(messages)
    assert message["text"].startswith("Fatto: ho collegato il POD per conto di Mario Rossi")
    assert [s.pod_code for s in uow.supplies.find(account_id=mario)] == [POD]
    assert uow.supplies.find(account_id=giulia) == []
    mail = uow.messages_to(MARIO)[-1]
    assert mail.subject == "Un'operazione del tuo delegato"
    assert "Giulia Bianchi" in mail.body and POD in mail.body
    audited = uow.audit.find(event="acted_for")[-1]
    assert audited.account_id == mario and audited.details["delegate_id"] == giulia
    assert (audited.details["action"], audited.details["pod"]) == ("pod_linked", POD)


def test_practice_status_for_the_delegator(run, uow, people):
    mario, giulia, _, _ = people
    _, messages = run(ValidatePracticeStatusForm(), tracker(slots=acting(giulia, mario)))
    [message] = closed(messages)
    nothing = "Per conto di Mario Rossi: nessuna richiesta né comunicazione ricevuta."
    assert message["text"] == nothing


@pytest.mark.parametrize("ending", ["suspend_delegation", "revoke_delegation", "expiry"])
def test_the_delega_s_end_stops_acting_at_once(run, uow, clock, people, ending):
    mario, giulia, _, delegation = people
    if ending == "expiry":
        clock.advance(days=91)
    else:
        getattr(delegations, ending)(uow, mario, delegation)
    asked = acting(giulia, mario, requested_slot="collega_pod_codice")
    add_pod(uow, POD, MARIO_CF, "residential")
    events, messages = run(ValidateLinkPodForm(), tracker(POD, slots=asked))
    [message] = closed(messages)
    assert response(message) == ("utter_per_conto_finito", "Mario Rossi")
    assert SlotSet("per_conto_di", None) in events and SlotSet("requested_slot", None) in events
    assert uow.supplies.find() == []


def test_nothing_else_of_the_delegator_s_is_reachable(run, uow, people):
    mario, giulia, _, _ = people
    on = tracker(slots=acting(giulia, mario), form="cancellazione_form")
    events, messages = run(ValidateDeletionForm(), on)
    [message] = closed(messages, rated=False)
    assert response(message) == ("utter_per_conto_non_consentito", "Mario Rossi")
    assert events[-1] == SlotSet("requested_slot", None)
    assert uow.accounts.get(mario) is not None and uow.accounts.get(giulia) is not None


def test_back_to_me(run, uow, people):
    mario, giulia, _, _ = people
    events, [message] = run(ActionBackToMe(), tracker(slots=acting(giulia, mario)))
    assert events == [SlotSet("per_conto_di", None), SlotSet("per_conto_nome", None)]
    assert response(message) == ("utter_per_conto_concluso", "Mario Rossi")
    events, [message] = run(ActionBackToMe(), tracker(slots={"account": giulia}))
    assert events == [] and message["response"] == "utter_per_conto_non_attivo"


def test_names_are_matched_whole_or_by_surname_without_accents():
    found = [Delegator(1, "Mario Rossi"), Delegator(2, "Niccolò Rossi"), Delegator(3, "Anna Verdi")]
    assert named("per conto di niccolo rossi", found).account_id == 2
    assert named("quelle della verdi", found).account_id == 3
    assert named("per conto di rossi", found) is None  # two Rossi: ask
    assert named("mio padre", found) is None
