"""Delega steps against the fake backend: exact events, messages and stored state."""

import pytest
from rasa_sdk.events import SlotSet

from actions.answers import parse_duration
from actions.delegation_management import (
    ActionAskDelegationChoice,
    ActionAskDelegationOperation,
    ActionAskOperationConfirmation,
    ValidateMyDelegationsForm,
)
from actions.delegation_request import (
    ActionAskDelegationClauses,
    ActionAskDelegationConfirmation,
    ValidateDelegationForm,
)
from actions.flow import Invalid
from actions.session import RENEWAL
from backend import delegations, documents
from backend.entities import DelegationStatus
from tests.support.portal_data import PDF
from tests.unit.actions.conftest import RATING_OFFERED, closed, tracker
from tests.unit.backend.backend_fakes import add_active_account

FORM, MANAGE = "delega_form", "gestione_deleghe_form"
MARIO, GIULIA = "mario@gmail.com", "giulia@gmail.com"
SKIPPED = "già autenticato"
DELEGA_SLOTS = [
    "accesso_email",
    "accesso_password",
    "delega_clausole",
    "delega_email",
    "delega_documento",
    "delega_durata",
    "delega_conferma",
    "delega_nome_delegato",
    "tentativi",
]
MANAGE_SLOTS = [
    "accesso_email",
    "accesso_password",
    "delega_scelta",
    "delega_operazione",
    "delega_nuova_durata",
    "delega_conferma_operazione",
    "tentativi",
]


def said(messages: list[dict]) -> list[str]:
    """Each message as its response name, or its text."""
    return [m.get("response") or m.get("text") for m in messages]


def ended(slots: list[str], **values) -> list:
    """The events of a flow that ends: its slots emptied (or set), then no requested slot."""
    final = {**dict.fromkeys(slots), **values, "tentativi": 0}
    return [SlotSet(name, value) for name, value in final.items()] + [
        *RATING_OFFERED,
        SlotSet("requested_slot", None),
    ]


@pytest.fixture
def people(uow):
    return (
        add_active_account(uow, MARIO, "RSSMRA85T10A562S"),
        add_active_account(uow, GIULIA, "BNCGLI90A41H501E", "Giulia Bianchi"),
    )


def asked(slot, text, account, form=FORM, metadata=None, **slots):
    values = {"requested_slot": slot, "account": account, **slots}
    if account:
        values |= {"accesso_email": SKIPPED, "accesso_password": SKIPPED}
    return tracker(text, slots=values, form=form, metadata=metadata)


def ready(account, reference, **slots):
    """The slots of a request about to be sent."""
    return {
        "delega_clausole": True,
        "delega_email": GIULIA,
        "delega_nome_delegato": "Giulia Bianchi",
        "delega_documento": reference,
        "delega_durata": 180,
        **slots,
    }


def awaiting(uow, people, days=90) -> int:
    reference = documents.store_upload(uow, PDF)
    return delegations.request_delegation(uow, people[0], GIULIA, days, reference)


def active(uow, people, days=90) -> int:
    delegation_id = awaiting(uow, people, days)
    delegations.respond_logged_in(uow, people[1], delegation_id, True)
    return delegation_id


# ---------------------------------------------------------------- giving a delegation


@pytest.mark.parametrize(
    "text, days",
    [("6 mesi", 180), ("un anno", 365), ("90 giorni", 90), ("per due settimane", 14),
     ("1 mese", 30), ("anno", 365), ("13 mesi", 390), ("mezzo anno", 180)],
)  # fmt: skip
def test_durations_in_everyday_words(text, days):
    assert parse_duration(text) == days


@pytest.mark.parametrize("text", ["annulla", "90", "boh", "il mese prossimo"])
def test_a_duration_needs_a_number_and_a_unit(text):
    with pytest.raises(Invalid, match="6 mesi"):
        parse_duration(text)


def test_logged_out_the_flow_starts_with_the_login(run, uow):
    events, messages = run(ValidateDelegationForm(), tracker("attiva una delega"))
    assert events == []
    assert said(messages) == ["utter_accesso_necessario"]


def test_logged_in_the_login_is_skipped(run, uow, people):
    on = tracker("attiva una delega", slots={"account": people[0]})
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("accesso_email", SKIPPED), SlotSet("accesso_password", SKIPPED)]
    assert messages == []


def test_the_clauses_are_shown_with_buttons(run):
    _, [message] = run(ActionAskDelegationClauses(), tracker())
    assert "clausole legali" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["accetto", "non accetto"]


def test_accepted_clauses_go_on(run, uow, people):
    events, _ = run(ValidateDelegationForm(), asked("delega_clausole", "accetto", people[0]))
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_clausole", True)]


def test_declined_clauses_end_the_flow(run, uow, people):
    on = asked("delega_clausole", "non accetto", people[0])
    events, messages = run(ValidateDelegationForm(), on)
    assert events == ended(DELEGA_SLOTS)
    assert said(closed(messages)) == ["utter_delega_clausole_rifiutate"]


def test_a_registered_delegate_is_named(run, uow, people):
    on = asked("delega_email", f"il delegato è {GIULIA.upper()}", people[0])
    events, _ = run(ValidateDelegationForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("delega_email", GIULIA),
        SlotSet("delega_nome_delegato", "Giulia Bianchi"),
    ]


def test_an_unregistered_delegate_is_refused_with_the_backend_reason(run, uow, people):
    on = asked("delega_email", "ghost@gmail.com", people[0])
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert said(messages) == [
        "Nessun utente registrato con questa e-mail: il delegato deve essere registrato al portale."
    ]


def test_an_uploaded_document_is_taken_from_the_metadata(run, uow, people):
    reference = documents.store_upload(uow, PDF)
    on = asked(
        "delega_documento",
        "Documento allegato: carta.pdf",
        people[0],
        metadata={"documento": reference},
    )
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_documento", reference)]
    assert said(messages) == ["utter_delega_documento_ricevuto"]


def test_a_forged_document_reference_is_refused(run, uow, people):
    on = asked("delega_documento", "carta.pdf", people[0], metadata={"documento": "1.forged"})
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert "caricalo di nuovo" in messages[0]["text"]


@pytest.mark.parametrize(
    "channel, advice", [("web", "graffetta"), ("telegram", "invia qui il file, come foto o PDF")]
)
def test_text_instead_of_a_document_explains_how_to_upload(run, uow, people, channel, advice):
    on = asked("delega_documento", "ce l'ho", people[0], metadata={"canale": channel})
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("tentativi", 1)] and advice in messages[0]["text"]


def test_a_channel_without_uploads_points_elsewhere_and_ends(run, uow, people):
    events, messages = run(ValidateDelegationForm(), asked("delega_documento", "ok", people[0]))
    assert events == ended(DELEGA_SLOTS)
    assert said(closed(messages)) == ["utter_delega_documento_canale"]


def test_a_duration_over_a_year_is_refused_with_the_reason(run, uow, people):
    events, messages = run(ValidateDelegationForm(), asked("delega_durata", "2 anni", people[0]))
    assert events == [SlotSet("tentativi", 1)]
    assert said(messages) == ["La durata della delega va da 1 giorno a un massimo di un anno."]
    events, _ = run(ValidateDelegationForm(), asked("delega_durata", "6 mesi", people[0]))
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_durata", 180)]


def test_the_summary_asks_to_send(run, uow, people):
    on = tracker(slots=ready(people[0], "ref"))
    _, [message] = run(ActionAskDelegationConfirmation(), on)
    assert "Giulia Bianchi (giulia@gmail.com)" in message["text"]
    assert "180 giorni" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["sì", "no"]


def test_yes_sends_the_request_and_the_delegate_is_mailed(run, uow, people):
    reference = documents.store_upload(uow, PDF)
    on = asked("delega_conferma", "sì", people[0], **ready(people[0], reference))
    events, messages = run(ValidateDelegationForm(), on)
    [delegation] = uow.delegations.find()
    assert events == ended(DELEGA_SLOTS)
    assert said(closed(messages)) == ["utter_delega_inviata"]
    assert (messages[0]["numero"], messages[0]["delegato"]) == (delegation.id, "Giulia Bianchi")
    assert delegation.status == DelegationStatus.AWAITING_ACCEPTANCE
    assert (delegation.delegator_id, delegation.duration_days) == (people[0], 180)
    assert uow.documents.find(delegation_id=delegation.id)[0].account_id == people[0]
    assert uow.messages_to(GIULIA)[-1].subject == "Richiesta di delega"


def test_no_sends_nothing(run, uow, people):
    reference = documents.store_upload(uow, PDF)
    on = asked("delega_conferma", "no", people[0], **ready(people[0], reference))
    events, messages = run(ValidateDelegationForm(), on)
    assert events == ended(DELEGA_SLOTS)
    assert said(closed(messages)) == ["utter_delega_non_inviata"]
    assert uow.delegations.find() == []


def test_an_expired_upload_is_asked_again(run, uow, people, clock):
    reference = documents.store_upload(uow, PDF)
    clock.advance(minutes=31)
    on = asked("delega_conferma", "sì", people[0], **ready(people[0], reference))
    events, messages = run(ValidateDelegationForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_documento", None)]
    assert "caricalo di nuovo" in messages[0]["text"]


# ---------------------------------------------------------------- my delegations


def test_no_delegations_ends_with_the_offer_to_give_one(run, uow, people):
    on = tracker("le mie deleghe", slots={"account": people[0]})
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == ended(MANAGE_SLOTS)
    assert said(closed(messages)) == ["utter_nessuna_delega"]


def test_logging_in_with_no_delegations_ends_too(run, uow, people):
    on = asked("accesso_password", "Sportello#1", None, form=MANAGE, accesso_email=MARIO)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == ended(MANAGE_SLOTS, accesso_password=SKIPPED, account=people[0])
    closing = closed(messages)
    assert said(closing) == ["utter_accesso_riuscito", None, "utter_nessuna_delega"]
    assert closing[1]["custom"] == RENEWAL["json_message"]


def test_the_list_shows_given_and_received_with_their_states(run, uow, people):
    given = active(uow, people)
    reference = documents.store_upload(uow, PDF)
    received = delegations.request_delegation(uow, people[1], MARIO, 30, reference)
    _, [message] = run(ActionAskDelegationChoice(), tracker(slots={"account": people[0]}))
    assert f"n. {given}, data a Giulia Bianchi, 90 giorni: attiva fino al" in message["text"]
    assert (
        f"n. {received}, ricevuta da Giulia Bianchi, 30 giorni: in attesa di accettazione"
        in message["text"]
    )
    assert [b["payload"] for b in message["buttons"]] == [f"delega {given}", f"delega {received}"]


def test_choosing_a_delegation_shows_its_detail(run, uow, people):
    delegation_id = active(uow, people)
    on = asked("delega_scelta", f"delega {delegation_id}", people[0], form=MANAGE)
    events, [message] = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_scelta", delegation_id)]
    assert "• delegato: Giulia Bianchi\n• stato: attiva" in message["text"]


def test_someone_elses_delegation_is_not_found(run, uow, people):
    delegation_id = active(uow, people)
    stranger = add_active_account(uow, "luca@gmail.com", "VRDLCU80A01H501V", "Luca Verdi")
    on = asked("delega_scelta", str(delegation_id), stranger, form=MANAGE)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert said(messages) == ["Delega non trovata tra le tue deleghe."]


def test_a_revoked_delegation_has_nothing_to_do(run, uow, people):
    delegation_id = active(uow, people)
    delegations.revoke_delegation(uow, people[0], delegation_id)
    on = asked("delega_scelta", f"delega {delegation_id}", people[0], form=MANAGE)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == ended(MANAGE_SLOTS)
    assert "• stato: revocata" in messages[0]["text"]
    assert said(messages)[1] == "utter_delega_nessuna_operazione"


def test_the_operations_follow_the_state_and_the_role(run, uow, people):
    delegation_id = active(uow, people)
    chosen = {"account": people[0], "delega_scelta": delegation_id}
    _, [message] = run(ActionAskDelegationOperation(), tracker(slots=chosen))
    assert [b["payload"] for b in message["buttons"]] == [
        "modifica", "sospendi", "revoca", "annulla",
    ]  # fmt: skip
    waiting = awaiting(uow, people)
    chosen = {"account": people[1], "delega_scelta": waiting}
    _, [message] = run(ActionAskDelegationOperation(), tracker(slots=chosen))
    assert [b["payload"] for b in message["buttons"]] == ["accetta", "rifiuta", "annulla"]


def test_an_operation_not_allowed_now_is_refused(run, uow, people):
    delegation_id = active(uow, people)
    on = asked("delega_operazione", "riattiva", people[0], form=MANAGE, delega_scelta=delegation_id)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert said(messages) == [
        "Su questa delega puoi scegliere: «Modifica la durata», «Sospendi», «Revoca»."
    ]


def test_suspending_asks_for_confirmation_first(run, uow, people):
    delegation_id = active(uow, people)
    on = asked("delega_operazione", "sospendi", people[0], form=MANAGE, delega_scelta=delegation_id)
    events, _ = run(ValidateMyDelegationsForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("delega_operazione", "sospendi"),
        SlotSet("delega_nuova_durata", "non richiesta"),
    ]
    assert uow.delegations.get(delegation_id).status == DelegationStatus.ACTIVE
    chosen = {"delega_scelta": delegation_id, "delega_operazione": "sospendi"}
    _, [message] = run(ActionAskOperationConfirmation(), tracker(slots=chosen))
    assert message["text"] == f"Confermi di voler sospendere la delega n. {delegation_id}?"


@pytest.mark.parametrize(
    "operation, before, after",
    [("sospendi", None, "sospesa"), ("riattiva", "sospendi", "attiva"),
     ("revoca", None, "revocata")],
)  # fmt: skip
def test_yes_changes_the_state_and_says_so(run, uow, people, operation, before, after):
    delegation_id = active(uow, people)
    if before:
        delegations.suspend_delegation(uow, people[0], delegation_id)
    slots = {"delega_scelta": delegation_id, "delega_operazione": operation,
             "delega_nuova_durata": "non richiesta"}  # fmt: skip
    on = asked("delega_conferma_operazione", "sì", people[0], form=MANAGE, **slots)
    events, messages = run(ValidateMyDelegationsForm(), on)
    [message] = closed(messages)
    assert events == ended(MANAGE_SLOTS)
    assert message["text"].startswith(f"Fatto: la delega n. {delegation_id} ora è {after}")
    status = {"sospesa": "suspended", "attiva": "active", "revocata": "revoked"}[after]
    assert uow.delegations.get(delegation_id).status == status
    assert uow.messages_to(MARIO)[-1].subject  # the delegator is mailed


def test_no_changes_nothing(run, uow, people):
    delegation_id = active(uow, people)
    slots = {"delega_scelta": delegation_id, "delega_operazione": "revoca"}
    on = asked("delega_conferma_operazione", "no", people[0], form=MANAGE, **slots)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == ended(MANAGE_SLOTS)
    assert said(closed(messages)) == ["utter_delega_operazione_annullata"]
    assert uow.delegations.get(delegation_id).status == DelegationStatus.ACTIVE


def test_modifying_asks_the_new_duration_then_confirms(run, uow, people):
    delegation_id = active(uow, people)
    slots = {"delega_scelta": delegation_id}
    on = asked("delega_operazione", "modifica", people[0], form=MANAGE, **slots)
    events, _ = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_operazione", "modifica")]
    slots["delega_operazione"] = "modifica"
    on = asked("delega_nuova_durata", "due anni", people[0], form=MANAGE, **slots)
    events, messages = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 1)] and "massimo di un anno" in messages[0]["text"]
    on = asked("delega_nuova_durata", "un anno", people[0], form=MANAGE, **slots)
    events, _ = run(ValidateMyDelegationsForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("delega_nuova_durata", 365)]
    slots["delega_nuova_durata"] = 365
    _, [message] = run(ActionAskOperationConfirmation(), tracker(slots=slots))
    assert message["text"] == (
        f"Confermi di portare a 365 giorni la durata della delega n. {delegation_id}?"
    )
    on = asked("delega_conferma_operazione", "sì", people[0], form=MANAGE, **slots)
    events, messages = run(ValidateMyDelegationsForm(), on)
    [message] = closed(messages)
    assert events == ended(MANAGE_SLOTS)
    assert "con una durata di 365 giorni" in message["text"]
    assert uow.delegations.get(delegation_id).duration_days == 365


@pytest.mark.parametrize("answer, status", [("accetta", "active"), ("rifiuta", "revoked")])
def test_the_delegate_answers_in_the_chat(run, uow, people, answer, status):
    delegation_id = awaiting(uow, people)
    slots = {"delega_scelta": delegation_id}
    on = asked("delega_operazione", answer, people[1], form=MANAGE, **slots)
    events, _ = run(ValidateMyDelegationsForm(), on)
    assert SlotSet("delega_operazione", answer) in events
    slots |= {"delega_operazione": answer, "delega_nuova_durata": "non richiesta"}
    on = asked("delega_conferma_operazione", "sì", people[1], form=MANAGE, **slots)
    events, messages = run(ValidateMyDelegationsForm(), on)
    [message] = closed(messages)
    assert events == ended(MANAGE_SLOTS)
    assert "Il delegante riceverà un'e-mail" in message["text"]
    assert uow.delegations.get(delegation_id).status == status


def test_a_corrected_delegate_is_checked_and_named_again(run, uow, people):
    add_active_account(uow, "luca@gmail.com", "VRDLCU80A01H501G", "Luca Verdi")
    slots = {"delega_clausole": True, "delega_email": GIULIA, "delega_nome_delegato": "Giulia"}
    on = asked("delega_documento", "ho sbagliato l'email, è luca@gmail.com", people[0], **slots)
    events, [message] = run(ValidateDelegationForm(), on)
    assert SlotSet("delega_email", "luca@gmail.com") in events
    assert SlotSet("delega_nome_delegato", "Luca Verdi") in events
    assert message["text"] == "Ho corretto l'e-mail del delegato."


def test_a_corrected_duration_at_the_summary_replaces_the_old_one(run, uow, people):
    reference = documents.store_upload(uow, PDF)
    on = asked("delega_conferma", "anzi facciamo 3 mesi", people[0], **ready(people[0], reference))
    events, _ = run(ValidateDelegationForm(), on)
    assert SlotSet("delega_durata", 90) in events
    assert uow.delegations.find() == []
