"""Training marks and their NLU export against the fake backend."""

import pytest
import yaml

from backend import staff, training
from backend.errors import InvalidInput, NotFound

# What the console passes: the bot's intents (console.intents reads them from domain.yml).
INTENTS = {"inform", "affirm", "deny", "greet", "info_pod", "out_of_scope", "richiedi_richiamata"}
NASTY = [
    'Ho scritto "ciao": non va',
    "# non è un commento",
    "riga uno\nriga due\t fine",
    "- sembra una lista | e un blocco >",
    "{graffe} [quadre] & ancore * alias ! tag % direttiva @ `",
    "controllo\x00\x07 e \ufeffBOM",
    "  'apici'  ",
]


@pytest.fixture
def anna(uow) -> int:
    return staff.add_staff(uow, "anna", "agent", "Console#2024")


def examples(exported: str) -> dict[str, list[str]]:
    data = yaml.safe_load(exported)
    assert data["version"] == "3.1"
    return {block["intent"]: block["examples"].splitlines() for block in data["nlu"]}


def test_the_export_is_valid_yaml_whatever_the_texts(uow, anna):
    for event_id, text in enumerate(NASTY, start=1):
        training.mark_misunderstood(uow, event_id, text, "inform", anna, INTENTS)
    exported = training.export_yaml(uow)
    assert exported.startswith("# ") and "data/nlu/" in exported.splitlines()[1]
    assert examples(exported) == {
        "inform": [
            '- Ho scritto "ciao": non va',
            "- # non è un commento",
            "- riga uno riga due fine",
            "- - sembra una lista | e un blocco >",
            "- {graffe} [quadre] & ancore * alias ! tag % direttiva @ `",
            "- controllo e BOM",
            "- 'apici'",
        ]
    }


def test_texts_are_masked_grouped_and_deduplicated(uow, anna):
    training.mark_misunderstood(uow, 1, "sono mario.rossi@gmail.com", "inform", anna, INTENTS)
    training.mark_misunderstood(
        uow, 2, "voglio parlare con qualcuno", "richiedi_richiamata", anna, INTENTS
    )
    training.mark_misunderstood(
        uow, 3, "voglio  parlare con qualcuno", "richiedi_richiamata", anna, INTENTS
    )
    assert examples(training.export_yaml(uow)) == {
        "inform": ["- sono m****i@g****.com"],
        "richiedi_richiamata": ["- voglio parlare con qualcuno"],
    }
    assert [m.text for m in training.marked(uow)][0] == "sono m****i@g****.com"


def test_marking_a_message_again_replaces_its_intent(uow, clock, anna):
    bruno = staff.add_staff(uow, "bruno", "supervisor", "Console#2024")
    training.mark_misunderstood(uow, 7, "mi serve aiuto", "inform", anna, INTENTS)
    clock.advance(minutes=1)
    training.mark_misunderstood(uow, 7, "mi serve aiuto", "richiedi_richiamata", bruno, INTENTS)
    [mark] = training.marked(uow)
    assert (mark.event_id, mark.intent, mark.staff_id) == (7, "richiedi_richiamata", bruno)
    assert mark.created_at == clock()


def test_the_same_text_in_two_events_keeps_the_latest_intent(uow, clock, anna):
    training.mark_misunderstood(uow, 1, "boh", "deny", anna, INTENTS)
    clock.advance(minutes=1)
    training.mark_misunderstood(uow, 2, "boh", "out_of_scope", anna, INTENTS)
    assert examples(training.export_yaml(uow)) == {"out_of_scope": ["- boh"]}


def test_nothing_marked_exports_an_empty_list(uow):
    assert yaml.safe_load(training.export_yaml(uow)) == {"version": "3.1", "nlu": []}


@pytest.mark.parametrize(
    ("text", "intent", "error"),
    [
        ("ciao", "intento_inventato", "intento"),
        ("ciao", "nlu_fallback", "intento"),
        (" \n\x00 ", "inform", "vuoto"),
    ],
)
def test_bad_marks_are_refused(uow, anna, text, intent, error):
    with pytest.raises(InvalidInput, match=error):
        training.mark_misunderstood(uow, 1, text, intent, anna, INTENTS)
    assert training.marked(uow) == []


def test_an_unknown_operator_cannot_mark(uow):
    with pytest.raises(NotFound):
        training.mark_misunderstood(uow, 1, "ciao", "inform", 99, INTENTS)


def test_the_intents_marked_among_some_messages(uow, anna):
    training.mark_misunderstood(uow, 7, "dov'è il pod", "info_pod", anna, INTENTS)
    training.mark_misunderstood(uow, 9, "ciao", "greet", anna, INTENTS)
    assert training.intents_marked(uow, [7, 8]) == {7: "info_pod"}
