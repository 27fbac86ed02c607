"""Registration steps against the fake backend: exact events, messages and stored state."""

from rasa_sdk.events import SlotSet

from actions.registration import ActionAskClauses, ValidateRegistrationForm
from backend.entities import AccountStatus
from tests.support.registration import start_new_person
from tests.unit.actions.conftest import tracker

FORM = "registrazione_form"
PERSON = {
    "registrazione_tipo": "person",
    "registrazione_nome": "Anna Maria|De Santis",
    "registrazione_codice_fiscale": "DSNNMR85M41F205G",
    "registrazione_email": "anna@example.it",
}


def asked(slot: str, text: str, **slots):
    return tracker(text, slots={"requested_slot": slot, **PERSON, **slots}, form=FORM)


def start(run, uow) -> int:
    events, _ = run(ValidateRegistrationForm(), asked("registrazione_cellulare", "347 111 2233"))
    return next(e["value"] for e in events if e["name"] == "registrazione_account")


def test_the_mobile_step_starts_the_registration_and_texts_a_code(run, uow):
    events, messages = run(
        ValidateRegistrationForm(),
        asked("registrazione_cellulare", "il mio cell è +39 347 111 2233"),
    )
    account = uow.accounts.first(email="anna@example.it")
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("registrazione_cellulare", "+393471112233"),
        SlotSet("registrazione_account", account.id),
    ]
    assert messages[0]["response"] == "utter_codice_sms_inviato"
    assert messages[0]["finale"] == "33"
    assert (account.first_name, account.last_name) == ("Anna Maria", "De Santis")
    assert len(uow.last_code("+393471112233")) == 6


def test_a_landline_is_refused_and_nothing_is_stored(run, uow):
    events, messages = run(
        ValidateRegistrationForm(), asked("registrazione_cellulare", "06 1234 5678")
    )
    assert events == [SlotSet("tentativi", 1)]
    assert "cellulare italiano" in messages[0]["text"]
    assert uow.accounts.find() == []


def test_a_pec_is_refused_with_the_reason(run, uow):
    on = asked("registrazione_email", "mario@pec.it", registrazione_email=None)
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)] and "PEC" in messages[0]["text"]


def test_a_wrong_code_tells_the_tries_left_and_offers_a_new_code(run, uow):
    account = start(run, uow)
    on = asked("registrazione_sms_otp", "000000", registrazione_account=account)
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 0)]  # the backend counts code tries, not the flow
    assert messages[0]["text"] == "Il codice non è corretto. Ti restano 4 tentativi."
    assert messages[0]["buttons"][0]["title"] == "Inviami un nuovo codice"


def test_the_right_code_is_never_kept_in_a_slot(run, uow):
    account = start(run, uow)
    code = uow.last_code("+393471112233")
    on = asked("registrazione_sms_otp", f"ecco il codice {code}", registrazione_account=account)
    events, messages = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_sms_otp", "verificato") in events
    assert code not in str(events)
    assert messages[0]["response"] == "utter_codice_email_inviato"
    assert uow.accounts.get(account).status == AccountStatus.EMAIL_PENDING


def test_a_code_that_did_not_arrive_is_resent_at_most_once_a_minute(run, uow, clock):
    account = start(run, uow)
    on = asked("registrazione_sms_otp", "non mi è arrivato", registrazione_account=account)
    _, messages = run(ValidateRegistrationForm(), on)
    assert "attendi 60 secondi" in messages[0]["text"]
    assert messages[1]["response"] == "utter_consigli_codice_sms"
    clock.advance(seconds=61)
    _, messages = run(ValidateRegistrationForm(), on)
    assert messages[0]["response"] == "utter_codice_reinviato"
    assert len(uow.messages_to("+393471112233")) == 2


def test_a_person_is_not_asked_for_a_representative(run, uow):
    on = asked(
        "registrazione_codice_fiscale", "dsnnmr85m41f205g", registrazione_codice_fiscale=None
    )
    events, _ = run(ValidateRegistrationForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("registrazione_codice_fiscale", "DSNNMR85M41F205G"),
        SlotSet("registrazione_rappresentante", "non richiesto"),
    ]


def test_a_company_registers_with_its_representative_s_fiscal_code(run, uow):
    """FAQ 10: the representative's fiscal data and the company's."""
    company = {
        "registrazione_tipo": "company",
        "registrazione_nome": "Sole Verde S.r.l.",
        "registrazione_codice_fiscale": None,
    }
    for slot, text, read in (
        ("registrazione_codice_fiscale", "la partita iva è 01114601006", "01114601006"),
        ("registrazione_rappresentante", "il mio è DSNNMR85M41F205G", "DSNNMR85M41F205G"),
    ):
        events, _ = run(ValidateRegistrationForm(), asked(slot, text, **company))
        assert events == [SlotSet("tentativi", 0), SlotSet(slot, read)]
        company[slot] = read
    on = asked("registrazione_rappresentante", "01114601006", **company)  # not a person's
    events, messages = run(ValidateRegistrationForm(), on)
    assert events == [SlotSet("tentativi", 1)] and "Codice Fiscale" in messages[0]["text"]
    run(ValidateRegistrationForm(), asked("registrazione_cellulare", "347 111 2233", **company))
    account = uow.accounts.first(email="anna@example.it")
    assert (account.kind, account.fiscal_code, account.representative_fiscal_code) == (
        "company",
        "01114601006",
        "DSNNMR85M41F205G",
    )


def test_declining_the_clauses_ends_the_flow(run, uow):
    on = asked("registrazione_clausole", "non accetto")
    events, messages = run(ValidateRegistrationForm(), on)
    assert messages[0]["response"] == "utter_registrazione_clausole_rifiutate"
    assert events[-1] == SlotSet("requested_slot", None)


def test_the_clauses_are_a_link_with_accept_and_decline(run):
    _, messages = run(ActionAskClauses(), asked("registrazione_clausole", ""))
    assert "http" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == ["accetto", "non accetto"]


def test_over_the_sms_budget_the_flow_ends_truthfully_with_help(run, uow):
    """The client is the address the channel forwarded; three SMS flows an hour from it."""
    for _ in range(3):
        start_new_person(uow, "indirizzo:203.0.113.7")
    on = asked("registrazione_cellulare", "347 111 2233")
    on.latest_message["metadata"] = {"cliente": "203.0.113.7"}
    events, [message] = run(ValidateRegistrationForm(), on)
    assert message["text"].startswith("Per sicurezza dalla stessa chat o connessione")
    assert message["text"].endswith(
        "numero verde 803.500. Non ho salvato nessun dato: quando vorrai potrai ricominciare "
        "la registrazione."
    )
    assert [b["payload"] for b in message["buttons"]] == [
        "/richiedi_richiamata",
        "/info_numero_verde",
    ]
    assert SlotSet("registrazione_email", None) in events  # the flow ends and forgets
    assert events[-1] == SlotSet("requested_slot", None)
    assert uow.accounts.first(email="anna@example.it") is None
    assert uow.messages_to("+393471112233") == []


def test_without_an_address_the_conversation_is_the_client(run, uow):
    for _ in range(3):
        start_new_person(uow, "indirizzo:203.0.113.7")
    events, messages = run(
        ValidateRegistrationForm(), asked("registrazione_cellulare", "347 111 2233")
    )
    assert messages[0]["response"] == "utter_codice_sms_inviato"
    assert len(uow.messages_to("+393471112233")) == 1


# ---------------------------------------------------------------- corrections


def test_a_corrected_email_voids_the_sent_code_and_mails_a_new_one(run, uow):
    account = start(run, uow)
    run(
        ValidateRegistrationForm(),
        asked(
            "registrazione_sms_otp",
            uow.last_code("+393471112233"),
            registrazione_account=account,
            registrazione_cellulare="+393471112233",
        ),
    )
    old_code = uow.last_code("anna@example.it")
    on = asked(
        "registrazione_email_otp",
        "scusa ho sbagliato l'email, è anna.desantis@example.it",
        registrazione_account=account,
        registrazione_cellulare="+393471112233",
        registrazione_sms_otp="verificato",
    )
    events, [message] = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_email", "anna.desantis@example.it") in events
    assert SlotSet("registrazione_email_otp", None) in events
    assert SlotSet("registrazione_sms_otp", None) not in events  # the mobile stays verified
    assert "non vale più" in message["text"] and "a****s@e****.it" in message["text"]
    assert uow.accounts.get(account).email == "anna.desantis@example.it"
    new_code = uow.last_code("anna.desantis@example.it")
    assert new_code and new_code != old_code


def test_a_corrected_mobile_texts_a_new_code_to_the_new_number(run, uow):
    account = start(run, uow)
    on = asked(
        "registrazione_sms_otp",
        "il numero giusto è 347 111 2244",
        registrazione_account=account,
        registrazione_cellulare="+393471112233",
    )
    events, [message] = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_cellulare", "+393471112244") in events
    assert "termina con …44" in message["text"]
    assert uow.accounts.get(account).mobile == "+393471112244"
    assert len(uow.last_code("+393471112244")) == 6


def test_a_corrected_customer_kind_asks_again_only_what_depends_on_it(run, uow):
    on = asked("registrazione_cellulare", "no aspetta, sono un'azienda")
    events, [message] = run(ValidateRegistrationForm(), on)
    assert SlotSet("registrazione_tipo", "company") in events
    assert SlotSet("registrazione_nome", None) in events
    assert SlotSet("registrazione_codice_fiscale", None) in events
    assert SlotSet("registrazione_email", None) not in events  # the e-mail stays
    assert message["text"] == "Ho corretto il tipo di cliente."
    assert uow.accounts.find() == []


def test_a_refused_correction_changes_nothing(run, uow):
    account = start(run, uow)
    on = asked(
        "registrazione_sms_otp",
        "ho sbagliato la mail, è anna@legalmail.it",
        registrazione_account=account,
        registrazione_cellulare="+393471112233",
    )
    events, _ = run(ValidateRegistrationForm(), on)
    assert not any(e["name"] == "registrazione_email" for e in events)
    assert uow.accounts.get(account).email == "anna@example.it"


def test_a_password_with_a_correction_word_is_still_a_password(run, uow):
    on = asked("registrazione_password", "Anzi#2024x", registrazione_account=None)
    events, _ = run(ValidateRegistrationForm(), on)
    assert not any(e["name"] == "registrazione_tipo" for e in events)
