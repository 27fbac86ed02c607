"""Practice transfer and its status against the fake backend: exact events, stored request."""

import pytest
from rasa_sdk.events import SlotSet

from actions.practices import (
    ActionAskPractices,
    ActionAskRequester,
    ActionAskTransferConfirmation,
    ActionAskTransferDocuments,
    ValidatePracticeStatusForm,
    ValidateTransferForm,
)
from actions.session import RENEWAL
from backend import documents, practices
from tests.support.portal_data import PDF, add_practice
from tests.unit.actions.conftest import RATING_OFFERED, closed, tracker
from tests.unit.backend.backend_fakes import add_active_account

FORM = "cambio_rappresentante_form"
COMPANY = "01114601006"
DONE = [
    SlotSet("accesso_email", None),
    SlotSet("accesso_password", None),
    SlotSet("cambio_rappresentante_richiedente", None),
    SlotSet("cambio_rappresentante_pratiche", None),
    SlotSet("cambio_rappresentante_documento", None),
    SlotSet("cambio_rappresentante_conferma", None),
    SlotSet("cambio_rappresentante_allegati", None),
    SlotSet("tentativi", 0),
    *RATING_OFFERED,
    SlotSet("requested_slot", None),
]


@pytest.fixture
def company(uow):
    """The new representative's account (the company's P.IVA) and the old one's practices."""
    old = add_active_account(uow, "old@soleverde.it", "VRDLGU80A01H501Q", "Luigi Verdi")
    new = add_active_account(uow, "new@soleverde.it", COMPANY, "Sole Verde")
    numbers = [
        add_practice(uow, old, "Sole Verde S.r.l.", COMPANY, f"FV {kw} kW") for kw in (20, 50, 6)
    ]
    return new, numbers


def asked(slot: str, text: str, account: int, metadata=None, intent="inform", **slots):
    slots = {"requested_slot": slot, "account": account, **slots}
    return tracker(text, slots=slots, form=FORM, metadata=metadata, intent=intent)


def test_a_logged_in_representative_starts_at_the_requester(run, uow, company):
    new, _ = company
    events, messages = run(ValidateTransferForm(), tracker(slots={"account": new}, form=FORM))
    assert events == [
        SlotSet("accesso_email", "già autenticato"),
        SlotSet("accesso_password", "già autenticato"),
    ]
    assert messages == []


def test_without_practices_to_move_the_flow_explains_and_ends(run, uow):
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    events, messages = run(ValidateTransferForm(), tracker(slots={"account": account}, form=FORM))
    [message] = closed(messages)
    assert events == DONE
    assert message["response"] == "utter_cambio_rappresentante_nessuna_pratica"


def test_the_requester_is_chosen_by_button_or_name(run, uow, company):
    new, _ = company
    _, [ask] = run(ActionAskRequester(), tracker(slots={"account": new}))
    assert ask["buttons"] == [{"title": "Sole Verde S.r.l. – 01114601006", "payload": COMPANY}]
    slot = "cambio_rappresentante_richiedente"
    for text in (COMPANY, "sole verde s.r.l."):
        events, _ = run(ValidateTransferForm(), asked(slot, text, new))
        assert events == [
            SlotSet("tentativi", 0),
            SlotSet(slot, COMPANY),
            SlotSet("cambio_rappresentante_allegati", []),  # a new request starts with none
        ]
    events, _ = run(ValidateTransferForm(), asked(slot, "Acme", new))
    assert events == [SlotSet("tentativi", 1)]


def test_practices_are_chosen_all_or_by_their_position(run, uow, company):
    new, numbers = company
    on = tracker(slots={"account": new, "cambio_rappresentante_richiedente": COMPANY})
    _, [ask] = run(ActionAskPractices(), on)
    assert f"1. {numbers[0]} – FV 20 kW" in ask["text"] and f"3. {numbers[2]}" in ask["text"]
    slot = "cambio_rappresentante_pratiche"
    for text, chosen in (
        ("tutte", numbers),
        ("la 1 e la 3", [numbers[0], numbers[2]]),
        (f"solo {numbers[1].lower()}", [numbers[1]]),
    ):
        on = asked(slot, text, new, cambio_rappresentante_richiedente=COMPANY)
        events, _ = run(ValidateTransferForm(), on)
        assert events == [SlotSet("tentativi", 0), SlotSet(slot, chosen)]
    on = asked(slot, "la 4", new, cambio_rappresentante_richiedente=COMPANY)
    events, [message] = run(ValidateTransferForm(), on)
    assert events == [SlotSet("tentativi", 1)] and "da 1 a 3" in message["text"]


def test_the_documents_arrive_one_by_one_until_the_customer_is_done(run, uow, company):
    """FAQ 10 speaks of the required documents: as many as the customer attaches."""
    new, _ = company
    slot, attached = "cambio_rappresentante_documento", "cambio_rappresentante_allegati"
    _, [ask] = run(ActionAskTransferDocuments(), asked(slot, "", new))
    assert ask["response"] == "utter_ask_cambio_rappresentante_documento"
    events, [message] = run(ValidateTransferForm(), asked(slot, "fatto", new))
    assert events == [SlotSet("tentativi", 1)] and "Non ho ricevuto" in message["text"]
    first, second = documents.store_upload(uow, PDF), documents.store_upload(uow, PDF)
    events, [message] = run(ValidateTransferForm(), asked(slot, "", new, {"documento": first}))
    assert events == [SlotSet("tentativi", 0), SlotSet(attached, [first])]
    assert message["text"] == "Documento ricevuto: finora ne hai allegati 1."
    _, [ask] = run(ActionAskTransferDocuments(), asked(slot, "", new, **{attached: [first]}))
    assert ask["response"] == "utter_ask_cambio_rappresentante_altro_documento"
    on = asked(slot, "ecco l'altro", new, {"documento": second}, **{attached: [first]})
    events, _ = run(ValidateTransferForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet(attached, [first, second])]
    on = asked(slot, "ho finito", new, **{attached: [first, second]})
    events, messages = run(ValidateTransferForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet(slot, [first, second])]
    assert messages == []


def confirm(text: str, new: int, numbers: list[str], *references: str):
    return asked(
        "cambio_rappresentante_conferma",
        text,
        new,
        cambio_rappresentante_richiedente=COMPANY,
        cambio_rappresentante_pratiche=numbers,
        cambio_rappresentante_documento=list(references),
    )


def test_yes_submits_the_request_to_the_operators(run, uow, company):
    new, numbers = company
    _, [ask] = run(ActionAskTransferConfirmation(), confirm("", new, numbers[:2]))
    assert f"{numbers[0]}, {numbers[1]}" in ask["text"]
    references = [documents.store_upload(uow, PDF) for _ in range(2)]
    _, [ask] = run(ActionAskTransferConfirmation(), confirm("", new, numbers[:2], *references))
    assert "con i 2 documenti che hai caricato" in ask["text"]
    yes = confirm("sì, inoltra", new, numbers[:2], *references)
    events, messages = run(ValidateTransferForm(), yes)
    [message] = closed(messages)
    assert events == DONE
    [transfer] = uow.transfers.find(status="pending")
    assert transfer.account_id == new and transfer.requester_fiscal_code == COMPANY
    assert transfer.sender_id == "u1"  # the conversation, for staff to read
    assert message["response"] == "utter_cambio_rappresentante_inviata"
    assert message["numero"] == transfer.id
    claimed = uow.documents.find(transfer_id=transfer.id)
    assert [d.account_id for d in claimed] == [new, new]


def test_no_submits_nothing(run, uow, company):
    new, numbers = company
    events, messages = run(ValidateTransferForm(), confirm("no", new, numbers))
    [message] = closed(messages)
    assert events == DONE
    assert message["response"] == "utter_cambio_rappresentante_non_inviata"
    assert uow.transfers.find(status="pending") == []


def test_a_second_request_for_the_same_practice_is_refused(run, uow, company):
    new, numbers = company
    run(ValidateTransferForm(), confirm("sì", new, numbers[:1], documents.store_upload(uow, PDF)))
    again = confirm("sì", new, numbers, documents.store_upload(uow, PDF))
    events, [message] = run(ValidateTransferForm(), again)
    assert events == [SlotSet("tentativi", 1)]
    assert numbers[0] in message["text"] and len(uow.transfers.find(status="pending")) == 1


def test_the_status_shows_requests_and_received_communications(run, uow, company):
    new, numbers = company
    status = tracker(slots={"account": new}, form="stato_pratiche_form")
    events, messages = run(ValidatePracticeStatusForm(), status)
    [message] = closed(messages)
    assert message["response"] == "utter_stato_pratiche_nessuna"
    assert events == [
        SlotSet("accesso_email", None),
        SlotSet("accesso_password", None),
        SlotSet("tentativi", 0),
        *RATING_OFFERED,
        SlotSet("requested_slot", None),
    ]
    run(ValidateTransferForm(), confirm("sì", new, numbers[:1], documents.store_upload(uow, PDF)))
    [message] = closed(run(ValidatePracticeStatusForm(), status)[1])
    assert f"({numbers[0]}): in lavorazione" in message["text"]
    assert "Non ci sono comunicazioni ricevute." in message["text"]
    [transfer] = uow.transfers.find(status="pending")
    practices.decide_transfer(uow, transfer.id, approve=True, note="Documenti in regola")
    [message] = closed(run(ValidatePracticeStatusForm(), status)[1])
    assert "completata" in message["text"] and "Spostamento pratiche completato" in message["text"]


def test_logging_in_without_practices_to_move_ends_the_flow(run, uow):
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    slots = {"requested_slot": "accesso_password", "accesso_email": "mario@example.it"}
    events, messages = run(ValidateTransferForm(), tracker("Sportello#1", slots=slots, form=FORM))
    [logged, renewal, nothing] = closed(messages)
    assert events == [
        *DONE[:1],
        SlotSet("accesso_password", "già autenticato"),
        *DONE[2:-4],
        SlotSet("tentativi", 0),
        SlotSet("account", account),
        *RATING_OFFERED,
        SlotSet("requested_slot", None),
    ]
    assert logged["response"] == "utter_accesso_riuscito"
    assert renewal["custom"] == RENEWAL["json_message"]  # the web app renews the credential
    assert nothing["response"] == "utter_cambio_rappresentante_nessuna_pratica"
