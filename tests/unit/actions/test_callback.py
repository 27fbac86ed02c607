"""Help OnLine callback steps against the fake backend: exact events and the ticket stored."""

from rasa_sdk.events import SlotSet

from actions.callback import ActionAskCallbackPhone, ActionAskCallbackTime, ValidateCallbackForm
from tests.unit.actions.conftest import RATING_OFFERED, closed, tracker
from tests.unit.backend.backend_fakes import add_active_account

FORM = "richiamata_form"
ANSWERED = {
    "richiamata_argomento": "Non mi arriva l'SMS",
    "richiamata_nome": "Anna De Santis",
    "richiamata_telefono": "+390612345678",
}
DONE = [
    SlotSet("richiamata_argomento", None),
    SlotSet("richiamata_nome", None),
    SlotSet("richiamata_telefono", None),
    SlotSet("richiamata_orario", None),
    SlotSet("tentativi", 0),
    *RATING_OFFERED,
    SlotSet("requested_slot", None),
]


def asked(slot: str, text: str, intent: str = "inform", **slots):
    return tracker(text, slots={"requested_slot": slot, **slots}, form=FORM, intent=intent)


def test_without_login_nothing_is_prefilled(run, uow):
    assert run(ValidateCallbackForm(), tracker(form=FORM)) == ([], [])


def test_a_logged_in_customer_is_not_asked_the_name(run, uow):
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    events, _ = run(ValidateCallbackForm(), tracker(slots={"account": account}, form=FORM))
    assert events == [SlotSet("richiamata_nome", "Mario Rossi")]


def test_the_topic_is_free_text(run, uow):
    events, messages = run(
        ValidateCallbackForm(),
        asked("richiamata_argomento", "non riesco a registrarmi", "faq_problemi_registrazione"),
    )
    assert events == [
        SlotSet("tentativi", 0),
        SlotSet("richiamata_argomento", "non riesco a registrarmi"),
    ]
    assert messages == []


def test_annulla_is_not_a_topic(run, uow):
    events, _ = run(ValidateCallbackForm(), asked("richiamata_argomento", "annulla", "annulla"))
    assert events == []


def test_a_meaningless_topic_is_asked_again(run, uow):
    events, messages = run(ValidateCallbackForm(), asked("richiamata_argomento", "??"))
    assert events == [SlotSet("tentativi", 1)]
    assert "motivo" in messages[0]["text"]


def test_the_name_is_read_from_a_sentence(run, uow):
    events, _ = run(ValidateCallbackForm(), asked("richiamata_nome", "mi chiamo Anna De Santis"))
    assert events == [SlotSet("tentativi", 0), SlotSet("richiamata_nome", "Anna De Santis")]


def test_a_company_name_is_accepted(run, uow):
    events, _ = run(ValidateCallbackForm(), asked("richiamata_nome", "Sole Verde S.r.l."))
    assert events == [SlotSet("tentativi", 0), SlotSet("richiamata_nome", "Sole Verde S.r.l.")]


def test_a_landline_is_fine_for_a_callback(run, uow):
    events, _ = run(
        ValidateCallbackForm(), asked("richiamata_telefono", "chiamatemi allo 06 1234 5678")
    )
    assert events == [SlotSet("tentativi", 0), SlotSet("richiamata_telefono", "+390612345678")]


def test_a_wrong_number_is_asked_again_with_the_reason(run, uow):
    events, messages = run(ValidateCallbackForm(), asked("richiamata_telefono", "12345"))
    assert events == [SlotSet("tentativi", 1)]
    assert "fisso o cellulare" in messages[0]["text"]


def test_the_time_opens_the_ticket_and_ends_the_flow(run, uow):
    events, messages = run(
        ValidateCallbackForm(), asked("richiamata_orario", "domani mattina", **ANSWERED)
    )
    assert events == DONE
    [ticket] = uow.callbacks.find()
    assert (ticket.name, ticket.phone, ticket.topic, ticket.preferred_time) == (
        "Anna De Santis",
        "+390612345678",
        "Non mi arriva l'SMS",
        "domani mattina",
    )
    assert ticket.account_id is None and ticket.status == "open"
    assert ticket.sender_id == "u1"  # the conversation, for staff to read
    [message] = closed(messages)
    assert message["response"] == "utter_richiamata_registrata"
    assert (message["ticket"], message["finale"], message["orario"]) == (
        ticket.id,
        "78",
        "domani mattina",
    )


def test_a_logged_in_customer_s_ticket_is_linked_to_the_account(run, uow):
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    on = asked("richiamata_orario", "Il sabato, dalle 8 alle 13", account=account, **ANSWERED)
    events, _ = run(ValidateCallbackForm(), on)
    assert events == DONE
    assert uow.callbacks.find()[0].account_id == account


def test_an_overlong_time_is_refused_and_no_ticket_opened(run, uow):
    events, _ = run(ValidateCallbackForm(), asked("richiamata_orario", "x" * 101, **ANSWERED))
    assert events == [SlotSet("tentativi", 1)]
    assert uow.callbacks.find() == []


def test_the_asks_offer_topics_time_bands_and_the_mobile_on_file(run, uow, domain):
    [topic] = domain["responses"]["utter_ask_richiamata_argomento"]
    assert len(topic["buttons"]) == 5
    for button in topic["buttons"]:  # each topic is an answer the step takes as it is
        events, _ = run(ValidateCallbackForm(), asked("richiamata_argomento", button["payload"]))
        assert events == [SlotSet("tentativi", 0), SlotSet("richiamata_argomento", button["title"])]
    _, [phone] = run(ActionAskCallbackPhone(), tracker())
    assert phone["buttons"] == []
    account = add_active_account(uow, "mario@example.it", "RSSMRA85T10A562S")
    _, [phone] = run(ActionAskCallbackPhone(), tracker(slots={"account": account}))
    assert phone["buttons"] == [{"title": "Il mio cellulare …67", "payload": "+393331234567"}]


def test_the_time_slots_are_the_operators_hours_from_the_settings(run, uow, configure):
    configure(ORARI_OPERATORI="lun-ven 8-20, sab 8-13")
    _, [time] = run(ActionAskCallbackTime(), tracker())
    assert time["response"] == "utter_ask_richiamata_orario"
    assert [b["title"] for b in time["buttons"]] == [
        "Dal lunedì al venerdì, dalle 8 alle 20",
        "Il sabato, dalle 8 alle 13",
        "Qualsiasi orario",
    ]
    configure(ORARI_OPERATORI="lun-sab 9:30-17")
    _, [time] = run(ActionAskCallbackTime(), tracker())
    assert [b["payload"] for b in time["buttons"]][0] == "Dal lunedì al sabato, dalle 9:30 alle 17"


def test_outside_the_operators_hours_the_customer_is_told_when_the_call_comes(
    run, uow, clock, configure
):
    configure(ORARI_OPERATORI="lun-ven 8-20, sab 8-13")
    clock.current = clock.current.replace(hour=19, minute=30)  # Monday 20:30 in Rome
    _, messages = run(ValidateCallbackForm(), asked("richiamata_orario", "domani", **ANSWERED))
    assert [m["response"] for m in closed(messages)] == [
        "utter_richiamata_registrata",
        "utter_richiamata_fuori_orario",
    ]


def test_wherever_the_bot_cannot_help_it_offers_the_callback(domain):
    for response in ("utter_human_handoff", "utter_default", "utter_out_of_scope"):
        for variation in domain["responses"][response]:
            payloads = [button["payload"] for button in variation["buttons"]]
            assert "/richiedi_richiamata" in payloads, response


def test_the_right_number_given_at_the_time_step_replaces_the_wrong_one(run, uow):
    on = asked("richiamata_orario", "scusa il numero giusto è 333 123 4567", **ANSWERED)
    events, [message] = run(ValidateCallbackForm(), on)
    assert SlotSet("richiamata_telefono", "+393331234567") in events
    assert not any(e["name"] == "richiamata_orario" for e in events)  # asked again
    assert message["text"] == "Ho corretto il numero da chiamare."
    assert uow.callbacks.find() == []
