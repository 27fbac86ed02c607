"""What the actions count for Prometheus: flows ended (how), messages not understood."""

from prometheus_client import REGISTRY

from actions.flow import ActionCancel
from actions.registration import ValidateRegistrationForm
from tests.unit.actions.conftest import tracker
from tests.unit.actions.test_fallback import run as ask_affirmation
from tests.unit.actions.test_fallback import tracker_after

FORM = "registrazione_form"


def outcome(name: str) -> float:
    labels = {"flow": FORM, "outcome": name}
    return REGISTRY.get_sample_value("sportello_flow_outcomes_total", labels) or 0.0


def test_a_cancelled_flow_is_counted(run, domain):
    before = outcome("cancelled")
    run(ActionCancel(), tracker("annulla", slots={"registrazione_tipo": "person"}, form=FORM))
    assert outcome("cancelled") == before + 1


def test_a_flow_given_up_after_three_wrong_answers_is_counted(run):
    before, completed = outcome("gave_up"), outcome("completed")
    slots = {"requested_slot": "registrazione_codice_fiscale", "tentativi": 2}
    run(ValidateRegistrationForm(), tracker("boh", slots=slots, form=FORM))
    assert outcome("gave_up") == before + 1
    assert outcome("completed") == completed  # a give-up is not a completion


def test_a_message_not_understood_is_a_fallback():
    before = REGISTRY.get_sample_value("sportello_fallbacks_total") or 0.0
    ask_affirmation(tracker_after("psw persa??", [("nlu_fallback", 0.55)]))
    assert REGISTRY.get_sample_value("sportello_fallbacks_total") == before + 1
