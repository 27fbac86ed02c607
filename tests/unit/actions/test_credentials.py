"""Password reset and username recovery steps against the fake backend: exact events."""

import pytest
from rasa_sdk.events import SlotSet

from actions.codes import RESEND_BUTTON
from actions.credentials import ValidatePasswordResetForm, ValidateUsernameRecoveryForm
from backend.passwords import verify_password
from tests.unit.actions.conftest import RATING_OFFERED, closed, tracker
from tests.unit.backend.backend_fakes import add_active_account

TOO_SOON = "Hai appena richiesto un codice: attendi 60 secondi prima di chiederne un altro."

EMAIL = "mario.rossi@example.it"
CF = "RSSMRA85T10A562S"
MOBILE = "+393331234567"
RESET = "recupero_password_form"
USERNAME = "recupero_username_form"
START = "2026-03-02T09:00:00"  # the fake clock's time
RESET_SLOTS = [
    "recupero_password_email",
    "recupero_password_email_otp",
    "recupero_password_nuova_password",
    "recupero_password_errori",
    "recupero_password_inviato",
]
USERNAME_SLOTS = [
    "recupero_username_tipo",
    "recupero_username_codice_fiscale",
    "recupero_username_rappresentante",
    "recupero_username_conferma",
    "recupero_username_sms_otp",
    "recupero_username_nuova_email",
    "recupero_username_errori",
    "recupero_username_inviato",
]


def ended(*slots: str, rated: bool = True, **values) -> list[SlotSet]:
    """The events of a flow that ends: every slot emptied, the offer to rate a finished
    task, the form released."""
    emptied = {**dict.fromkeys([*slots, "tentativi"]), "tentativi": 0, **values}
    offer = RATING_OFFERED if rated else []
    return [SlotSet(name, value) for name, value in emptied.items()] + [
        *offer,
        SlotSet("requested_slot", None),
    ]


def sent(messages: list[dict]) -> list[dict]:
    """The messages as the action wrote them, without the dispatcher's empty fields."""
    return [
        {k: v for k, v in m.items() if k != "template" and v not in (None, [], {})}
        for m in messages
    ]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def account(uow) -> int:
    return add_active_account(uow, EMAIL, CF)


# --- password reset ----------------------------------------------------------------------


def reset(slot: str, text: str, **slots):
    values = {"requested_slot": slot, "recupero_password_email": EMAIL, **slots}
    return tracker(text, slots=values, form=RESET)


def reset_code_sent(run, email=EMAIL):
    return run(ValidatePasswordResetForm(), reset("recupero_password_email", email))


def test_the_email_step_sends_a_code_and_says_so_neutrally(run, uow, account):
    events, messages = run(
        ValidatePasswordResetForm(),
        reset("recupero_password_email", f"la mia mail è {EMAIL.upper()}"),
    )
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_password_email", EMAIL),
        SlotSet("recupero_password_errori", 0),
        SlotSet("recupero_password_inviato", START),
    ]
    assert sent(messages) == [{"response": "utter_recupero_password_codice_inviato"}]
    assert len(uow.last_code(EMAIL)) == 6


def test_an_unknown_email_gets_the_same_reply_and_nothing_is_sent(run, uow, account):
    events, messages = reset_code_sent(run, "nessuno@example.it")
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_password_email", "nessuno@example.it"),
        SlotSet("recupero_password_errori", 0),
        SlotSet("recupero_password_inviato", START),
    ]
    assert sent(messages) == [{"response": "utter_recupero_password_codice_inviato"}]
    assert uow.outbox.find() == []


def test_a_malformed_email_is_reasked(run, uow):
    events, messages = run(
        ValidatePasswordResetForm(), reset("recupero_password_email", "mario chiocciola")
    )
    assert events == [SlotSet("tentativi", 1)]
    assert messages[0]["text"]


def test_the_right_code_is_verified_and_never_kept(run, uow, account):
    reset_code_sent(run)
    code = uow.last_code(EMAIL)
    events, messages = run(
        ValidatePasswordResetForm(), reset("recupero_password_email_otp", f"ecco {code}")
    )
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_password_email_otp", "verificato")]
    assert sent(messages) == [{"text": "Codice corretto."}]
    assert code not in str(events)


def test_a_wrong_code_tells_the_tries_left_alike_for_unknown_accounts(run, uow, account):
    reset_code_sent(run)
    code = wrong(uow.last_code(EMAIL))
    known = run(ValidatePasswordResetForm(), reset("recupero_password_email_otp", code))
    unknown = run(
        ValidatePasswordResetForm(),
        reset("recupero_password_email_otp", code, recupero_password_email="nessuno@example.it"),
    )
    assert known[0] == unknown[0] and sent(known[1]) == sent(unknown[1])
    events, messages = known
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_password_errori", 1)]
    assert sent(messages) == [
        {"text": "Il codice non è corretto. Ti restano 4 tentativi.", "buttons": [RESEND_BUTTON]}
    ]


def test_the_fifth_wrong_code_uses_up_the_tries(run, uow, account):
    reset_code_sent(run)
    code = uow.last_code(EMAIL)
    on = reset("recupero_password_email_otp", wrong(code), recupero_password_errori=4)
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_password_errori", 5)]
    assert messages[0]["text"] == (
        "Il codice non è corretto. Hai esaurito i tentativi: richiedi un nuovo codice."
    )
    on = reset("recupero_password_email_otp", code, recupero_password_errori=5)
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == [SlotSet("tentativi", 0)]
    assert messages[0]["text"] == "Hai esaurito i tentativi: richiedi un nuovo codice."


def test_an_expired_code_offers_a_new_one(run, uow, account, clock):
    reset_code_sent(run)
    code = uow.last_code(EMAIL)
    clock.advance(minutes=31)
    events, messages = run(ValidatePasswordResetForm(), reset("recupero_password_email_otp", code))
    assert events == [SlotSet("tentativi", 0)]
    assert sent(messages) == [
        {
            "text": "Il codice è scaduto o è già stato usato: richiedine uno nuovo.",
            "buttons": [RESEND_BUTTON],
        }
    ]
    on = reset(
        "recupero_password_email_otp",
        "inviami un nuovo codice",
        recupero_password_errori=2,
        recupero_password_inviato=START,
    )
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_password_errori", 0),
        SlotSet("recupero_password_inviato", "2026-03-02T09:31:00"),
    ]
    assert sent(messages) == [  # the same words whether or not anything was sent
        {"response": "utter_codice_reinviato_se_registrata"},
        {"response": "utter_consigli_codice_email"},
    ]
    assert uow.last_code(EMAIL) != code


def test_after_30_minutes_the_code_is_expired_alike_for_unknown_accounts(run, uow, account, clock):
    reset_code_sent(run)
    code = uow.last_code(EMAIL)
    clock.advance(minutes=30)
    for email in (EMAIL, "nessuno@example.it"):
        on = reset(
            "recupero_password_email_otp",
            code,
            recupero_password_email=email,
            recupero_password_inviato=START,
        )
        events, messages = run(ValidatePasswordResetForm(), on)
        assert events == [SlotSet("tentativi", 0)]
        assert sent(messages) == [
            {
                "text": "Il codice è scaduto o è già stato usato: richiedine uno nuovo.",
                "buttons": [RESEND_BUTTON],
            }
        ]


def test_a_new_code_is_sent_at_most_once_a_minute_alike_for_unknown_accounts(
    run, uow, account, clock
):
    reset_code_sent(run)
    clock.advance(seconds=30)
    for email in (EMAIL, "nessuno@example.it"):
        on = reset(
            "recupero_password_email_otp",
            "non mi è arrivato",
            recupero_password_email=email,
            recupero_password_inviato=START,
        )
        events, messages = run(ValidatePasswordResetForm(), on)
        assert events == [SlotSet("tentativi", 0)]
        assert sent(messages) == [
            {"text": TOO_SOON},
            {"response": "utter_consigli_codice_email"},
        ]
    assert len(uow.messages_to(EMAIL)) == 1


def test_a_password_changed_today_ends_the_flow_at_the_code(run, uow, account, clock):
    uow.accounts.get(account).password_changed_at = uow.now()
    reset_code_sent(run)
    on = reset("recupero_password_email_otp", uow.last_code(EMAIL))
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == ended(*RESET_SLOTS)
    assert "solo una volta ogni 24 ore" in messages[0]["text"]


def test_a_weak_new_password_is_reasked_naming_what_is_missing(run, uow, account):
    on = reset("recupero_password_nuova_password", "debole1!")
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert sent(messages) == [
        {
            "text": "La password deve contenere almeno un carattere maiuscolo, un numero e un "
            "carattere speciale (ad esempio ! @ # $ % ^ & +): in quella che hai scritto manca "
            "un carattere maiuscolo."
        }
    ]


def test_the_new_password_is_set_after_the_code(run, uow, account):
    reset_code_sent(run)
    run(ValidatePasswordResetForm(), reset("recupero_password_email_otp", uow.last_code(EMAIL)))
    on = reset("recupero_password_nuova_password", "Nuova#Password2")
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == ended(*RESET_SLOTS)
    assert sent(closed(messages)) == [{"response": "utter_recupero_password_completato"}]
    assert verify_password(uow.settings, uow.accounts.get(account).password_hash, "Nuova#Password2")


def test_the_new_password_without_a_verified_code_ends_the_flow(run, uow, account):
    on = reset("recupero_password_nuova_password", "Nuova#Password2")
    events, messages = run(ValidatePasswordResetForm(), on)
    assert events == ended(*RESET_SLOTS, rated=False)
    assert "troppo tempo" in messages[0]["text"] and messages[0]["buttons"]
    assert not verify_password(
        uow.settings, uow.accounts.get(account).password_hash, "Nuova#Password2"
    )


# --- username recovery and change --------------------------------------------------------


def username(slot: str, text: str, **slots):
    values = {
        "requested_slot": slot,
        "recupero_username_tipo": "person",
        "recupero_username_codice_fiscale": CF,
        **slots,
    }
    return tracker(text, slots=values, form=USERNAME)


def test_the_kind_step_reads_person_or_company(run):
    on = username("recupero_username_tipo", "sono un privato", recupero_username_tipo=None)
    events, _ = run(ValidateUsernameRecoveryForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_username_tipo", "person")]


def test_the_fiscal_code_shows_the_masked_email(run, uow, account):
    on = username("recupero_username_codice_fiscale", f"il mio cf è {CF.lower()}")
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_username_codice_fiscale", CF),
        SlotSet("recupero_username_rappresentante", "non richiesto"),
    ]
    assert sent(messages) == [
        {"response": "utter_recupero_username_trovata", "email": "m****i@e****.it"}
    ]


def test_unknown_fiscal_data_are_told_plainly_and_end_the_flow(run, uow, account):
    """No invented address, no invented SMS: nobody registered these data (FAQ 7)."""
    on = username("recupero_username_codice_fiscale", "BNCGLI90A41H501E")
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == ended(*USERNAME_SLOTS)
    assert sent(closed(messages)) == [{"response": "utter_recupero_username_nessuna_utenza"}]
    assert uow.outbox.find() == [] and uow.codes.find() == []


def test_a_company_is_found_with_its_representative_s_fiscal_code(run, uow):
    company = add_active_account(uow, "legale@soleverde.it", "01114601006", "Sole Verde")
    uow.accounts.get(company).representative_fiscal_code = CF
    on = username(
        "recupero_username_codice_fiscale", "01114601006", recupero_username_tipo="company"
    )
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_username_codice_fiscale", "01114601006"),
    ]
    assert messages == []  # the representative's code is asked next
    on = username(
        "recupero_username_rappresentante",
        CF.lower(),
        recupero_username_tipo="company",
        recupero_username_codice_fiscale="01114601006",
    )
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_username_rappresentante", CF)]
    assert sent(messages) == [
        {"response": "utter_recupero_username_trovata", "email": "l****e@s****.it"}
    ]
    on = username(
        "recupero_username_rappresentante",
        "BNCGLI90A41H501E",
        recupero_username_tipo="company",
        recupero_username_codice_fiscale="01114601006",
    )
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert sent(closed(messages)) == [{"response": "utter_recupero_username_nessuna_utenza"}]


def test_a_wrong_fiscal_code_is_reasked(run):
    on = username("recupero_username_codice_fiscale", "RSSMRA85T10A562X")
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == [SlotSet("tentativi", 1)]
    assert "Codice Fiscale non è valido" in messages[0]["text"]


def test_a_still_valid_email_ends_with_the_login_offer(run, uow, account):
    events, messages = run(
        ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "sì")
    )
    assert events == ended(*USERNAME_SLOTS)
    assert sent(closed(messages)) == [{"response": "utter_recupero_username_accedi"}]


def test_an_old_email_texts_a_code_to_the_validated_mobile(run, uow, account):
    events, messages = run(
        ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no")
    )
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("recupero_username_conferma", "no"),
        SlotSet("recupero_username_errori", 0),
        SlotSet("recupero_username_inviato", START),
    ]
    assert sent(messages) == [{"response": "utter_codice_sms_inviato", "finale": "67"}]
    assert len(uow.last_code(MOBILE)) == 6


def test_without_a_validated_mobile_the_flow_points_to_help_online(run, uow, account):
    uow.accounts.get(account).mobile_verified_at = None
    events, messages = run(
        ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no")
    )
    assert events == ended(*USERNAME_SLOTS, rated=False)
    assert "803.500" in messages[0]["text"]
    assert [b["payload"] for b in messages[0]["buttons"]] == [
        "/richiedi_richiamata",
        "/info_numero_verde",
    ]


def test_a_code_sent_just_now_is_not_claimed_as_sent_again(run, uow, account, clock):
    run(ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no"))
    clock.advance(seconds=10)
    events, messages = run(
        ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no")
    )
    assert events == ended(*USERNAME_SLOTS, rated=False)
    assert messages[0]["text"] == TOO_SOON
    assert len(uow.messages_to(MOBILE)) == 1


def test_a_resent_sms_code_is_said_sent_only_when_it_went_out(run, uow, account, clock):
    run(ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no"))
    clock.advance(seconds=61)
    on = username("recupero_username_sms_otp", "non mi è arrivato", recupero_username_inviato=START)
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert sent(messages)[0] == {"response": "utter_codice_reinviato"}
    assert len(uow.messages_to(MOBILE)) == 2
    clock.advance(seconds=61)
    run(ValidateUsernameRecoveryForm(), on)
    clock.advance(seconds=61)  # three SMS a number an hour: the budget sends none, and says so
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    [refusal] = sent(messages)[:1]
    assert refusal["text"].startswith("Per sicurezza un numero riceve al massimo 3 SMS")
    assert "tra 57 minuti" in refusal["text"] and "803.500" in refusal["text"]
    assert len(uow.messages_to(MOBILE)) == 3
    assert [e.refused for e in uow.sms_budget.find()] == ["", "", "", "numero"]


def test_a_wrong_sms_code_counts_in_the_conversation(run, uow, account):
    run(ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no"))
    on = username("recupero_username_sms_otp", wrong(uow.last_code(MOBILE)))
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_username_errori", 1)]
    assert messages[0]["text"] == "Il codice non è corretto. Ti restano 4 tentativi."


def change_email(run, uow, text: str):
    run(ValidateUsernameRecoveryForm(), username("recupero_username_conferma", "no"))
    code = uow.last_code(MOBILE)
    events, _ = run(ValidateUsernameRecoveryForm(), username("recupero_username_sms_otp", code))
    assert events == [SlotSet("tentativi", 0), SlotSet("recupero_username_sms_otp", "verificato")]
    return run(ValidateUsernameRecoveryForm(), username("recupero_username_nuova_email", text))


def test_the_new_email_becomes_the_username(run, uow, account):
    events, messages = change_email(run, uow, "la nuova è mario.nuovo@libero.it")
    assert events == ended(*USERNAME_SLOTS)
    assert sent(closed(messages)) == [
        {"response": "utter_recupero_username_completato", "email": "mario.nuovo@libero.it"}
    ]
    assert uow.accounts.get(account).email == "mario.nuovo@libero.it"


def test_a_pec_is_refused_as_new_username(run, uow, account):
    events, messages = change_email(run, uow, "mario@pec.it")
    assert events == [SlotSet("tentativi", 1)]
    assert "PEC" in messages[0]["text"]
    assert uow.accounts.get(account).email == EMAIL


def test_an_email_in_use_is_refused_and_can_be_replaced(run, uow, account):
    add_active_account(uow, "giulia@example.it", "BNCGLI90A41H501E", name="Giulia Bianchi")
    events, messages = change_email(run, uow, "giulia@example.it")
    assert events == [SlotSet("tentativi", 1)]
    assert "già usata" in messages[0]["text"]
    on = username("recupero_username_nuova_email", "mario.nuovo@libero.it")
    events, _ = run(ValidateUsernameRecoveryForm(), on)
    assert events == ended(*USERNAME_SLOTS)


def test_a_company_said_after_person_asks_the_fiscal_data_again(run, uow):
    on = username(
        "recupero_username_codice_fiscale",
        "no aspetta, è un'azienda",
        recupero_username_tipo="person",
    )
    events, messages = run(ValidateUsernameRecoveryForm(), on)
    assert SlotSet("recupero_username_tipo", "company") in events
    assert sent(messages) == [{"text": "Ho corretto il tipo di cliente."}]
    assert uow.outbox.find() == []
