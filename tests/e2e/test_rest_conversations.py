"""Conversations over the REST channel with the real servers, in everyday Italian."""

import pytest

from backend.settings import Settings
from tests.support.chat import said, texts

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("question", "response"),
    [
        ("buongiorno, cosa mi serve x registrarmi?", "utter_faq_dati_registrazione"),
        ("nn ricordo piu la password dell'area riservata", "utter_faq_password_dimenticata"),
        ("che browser mi consigliate?", "utter_faq_browser"),
        ("come si revoca una delega", "utter_faq_delega_revocare"),
        ("posso cambiare la partita iva che ho messo?", "utter_faq_modifica_codice_fiscale"),
        ("quanto tempo vale il codice otp?", "utter_info_durata_codice"),
        ("la pec va bene come mail?", "utter_info_pec"),
    ],
)
def test_faq_questions_get_the_faq_answer(chat, responses, question, response):
    assert texts(chat(question))[0] in responses[response]


def test_the_answers_quote_the_configured_rules(chat):
    settings = Settings()
    assert f"validità di {settings.code_ttl_minutes} minuti" in said(chat("/info_durata_codice"))
    hours = said(chat("/info_cambio_password_24h"))
    assert f"una volta ogni {settings.password_change_hours} ore" in hours


def test_answers_offer_the_next_step_as_buttons(chat):
    [*_, last] = chat("come ci si registra al portale?")
    assert {"title": "Quali dati servono?", "payload": "/faq_dati_registrazione"} in last["buttons"]


def test_pressing_a_button_answers_that_question(chat, responses):
    chat("come ci si registra al portale?")
    assert texts(chat("/faq_dati_registrazione"))[0] in responses["utter_faq_dati_registrazione"]


def test_asking_for_a_person_points_to_help_online_and_the_toll_free_number(chat):
    reply = " ".join(texts(chat("vorrei parlare con un operatore umano")))
    assert "Help OnLine" in reply and "803.500" in reply


# What the NLU makes of a message it does not understand; sent as an intent payload so these
# tests follow the fallback loop whatever the classifier thinks of any particular gibberish.
NOT_UNDERSTOOD = "/nlu_fallback"


def test_not_understood_twice_ends_with_an_offer_of_help(chat, responses):
    assert texts(chat(NOT_UNDERSTOOD))[0] in responses["utter_ask_rephrase"]
    assert texts(chat(NOT_UNDERSTOOD)) == [responses["utter_default"][0]]


def test_nonsense_is_never_answered_with_an_faq(chat, responses):
    answers = {name for name in responses if name.startswith(("utter_faq_", "utter_info_"))}
    for nonsense in ("blorf zanzibar quattordici", "asdfgh qwerty", "xyz 42 zzz"):
        shown = texts(chat(nonsense))
        assert not any(text in responses[name] for name in answers for text in shown)


def test_a_suggested_question_is_answered_when_picked(chat, responses):
    chat(NOT_UNDERSTOOD)
    assert texts(chat("/faq_browser")) == responses["utter_faq_browser"]


def test_none_of_the_suggestions_asks_to_rephrase_then_answers(chat, responses):
    chat(NOT_UNDERSTOOD)
    assert texts(chat("/out_of_scope"))[0] in responses["utter_ask_rephrase"]
    assert (
        texts(chat("ok allora: come si revoca la delega?"))
        == responses["utter_faq_delega_revocare"]
    )


def test_none_of_the_suggestions_twice_ends_with_an_offer_of_help(chat, responses):
    chat(NOT_UNDERSTOOD)
    chat("/out_of_scope")
    chat(NOT_UNDERSTOOD)
    assert texts(chat("/out_of_scope")) == [responses["utter_default"][0]]
