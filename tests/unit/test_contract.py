"""domain.yml against the code: what a new flow, action, response or intent must not forget.

Rasa's own `rasa data validate` checks the data against the domain; this checks the domain
against the action server (the classes rasa-sdk registers, the responses the Python names,
the steps of each form) and against actions/contract.py, which the channels and the console
read.
"""

import ast
import importlib
import inspect
import pkgutil
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

import actions
from actions import contract
from actions.codes import CodeStep
from actions.flow import NEXT_STEP_TITLES, TASKS, FlowForm
from actions.questions import AskAction
from tests.support import ROOT

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text())
# What a response asking for a secret carries, as the channels read it.
SECRET_MARKER = {contract.SECRET_INPUT_KEY: contract.SECRET_INPUT}
FORMS: dict[str, list[str]] = {
    form: spec["required_slots"] for form, spec in DOMAIN["forms"].items()
}
RESPONSES: dict[str, list[dict[str, Any]]] = DOMAIN["responses"]
ACTION_FILES = sorted((ROOT / "actions").glob("*.py"))
UTTER = re.compile(r"utter_\w+")
# Not a response: the key of a bot message's metadata naming the response it came from.
UTTER_ACTION_KEY = "utter_action"
# Intents the NLU pipeline predicts by itself, without examples (the FallbackClassifier's).
PREDICTED_WITHOUT_EXAMPLES = {"nlu_fallback"}
MIN_EXAMPLES = 15  # as README's "How to add an FAQ answer" asks
# Responses Rasa's own actions utter: action_default_fallback and the two-stage fallback.
RASA_RESPONSES = {"utter_default", "utter_ask_rephrase"}


def _modules() -> list:
    return [
        importlib.import_module(f"actions.{info.name}")
        for info in pkgutil.iter_modules(actions.__path__)
    ]


def _code_channels() -> set[str]:
    """The channels of the code steps the flows define ("sms", "email")."""
    return {
        value.channel
        for module in _modules()
        for value in vars(module).values()
        if isinstance(value, CodeStep)
    }


# A response named by an f-string: the f-string as written -> every name it can produce.
EXPANSIONS = {
    "f'utter_consigli_codice_{self.channel}'": lambda: {
        f"utter_consigli_codice_{channel}" for channel in _code_channels()
    },
}


@cache
def registered() -> dict[str, Action]:
    """The actions the action server runs, by name, found as rasa-sdk finds them."""
    executor = ActionExecutor()
    executor.register_package("actions")
    return {name: run.__self__ for name, run in executor.actions.items()}


def _utter_names(tree: ast.AST, where: str) -> set[str]:
    """The response names a piece of Python code spells out, f-strings expanded."""
    names, parts, constants = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts |= {id(value) for value in node.values}  # not names on their own
            head = node.values[0] if node.values else None
            if isinstance(head, ast.Constant) and str(head.value).startswith("utter_"):
                source = ast.unparse(node)
                assert source in EXPANSIONS, f"{where}: list what {source} can name in EXPANSIONS"
                names |= EXPANSIONS[source]()
        elif isinstance(node, ast.Constant) and id(node) not in parts:
            constants.append(str(node.value))
    return names | {text for text in constants if UTTER.fullmatch(text)} - {UTTER_ACTION_KEY}


@cache
def _rules_and_stories() -> tuple[dict[str, Any], ...]:
    flows = []
    for path in sorted((ROOT / "data").rglob("*.yml")):
        data = yaml.safe_load(path.read_text()) or {}
        flows += data.get("rules", []) + data.get("stories", [])
    return tuple(flows)


@cache
def _examples() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for entry in (yaml.safe_load(path.read_text()) or {}).get("nlu", []):
            if "intent" in entry:
                lines = [line for line in entry["examples"].splitlines() if line.strip()]
                counts[entry["intent"]] = counts.get(entry["intent"], 0) + len(lines)
    return counts


def _step_values(key: str) -> set[str]:
    return {step[key] for flow in _rules_and_stories() for step in flow["steps"] if key in step}


# ---------------------------------------------------------------- actions and forms


def test_every_action_in_the_domain_has_a_class_and_every_class_is_in_the_domain():
    in_domain, in_code = set(DOMAIN["actions"]), set(registered())
    assert sorted(in_domain - in_code) == [], "listed in domain.yml, no class in actions/"
    assert sorted(in_code - in_domain) == [], "a class in actions/, not listed in domain.yml"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_has_a_flow_with_a_step_for_each_slot_and_no_other(form):
    flow = registered().get(f"validate_{form}")
    assert isinstance(flow, FlowForm), f"no FlowForm subclass with form = {form!r}"
    steps = {name.removeprefix("step_") for name in dir(flow) if name.startswith("step_")}
    assert sorted(set(FORMS[form]) - steps) == [], "form slots without their step_<slot>"
    assert sorted(steps - set(FORMS[form])) == [], "step_<slot> methods for no slot of the form"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_slot_is_set_by_the_actions_only_and_has_a_question(form):
    for slot in FORMS[form]:
        assert DOMAIN["slots"][slot]["mappings"] == [{"type": "custom"}], slot
        asked = f"action_ask_{slot}" in registered() or f"utter_ask_{slot}" in RESPONSES
        assert asked, f"{slot}: no utter_ask_{slot} response and no action_ask_{slot}"


def test_every_question_action_asks_for_a_form_slot():
    slots = {slot for required in FORMS.values() for slot in required}
    for name, action in registered().items():
        if isinstance(action, AskAction):
            assert action.slot in slots, f"{name} asks for a slot no form requires"


def test_the_slots_a_flow_empties_are_in_the_domain():
    for action in registered().values():
        if isinstance(action, FlowForm):
            missing = set(action.private_slots) - set(DOMAIN["slots"])
            assert not missing, f"{action.name()}: private slots not in domain.yml: {missing}"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_has_a_rule_that_starts_it_and_one_that_ends_it(form):
    starts = ends = False
    for flow in _rules_and_stories():
        steps = flow["steps"]
        pairs = zip(steps, steps[1:], strict=False)
        if any(a.get("action") == form and b.get("active_loop") == form for a, b in pairs):
            starts = True
        condition = flow.get("condition") or []
        if {"active_loop": form} in condition and {"active_loop": None} in steps:
            ends = True
    assert starts, f"no rule or story runs {form} and activates it"
    assert ends, f"no rule ends {form} (condition active_loop: {form}, then active_loop: null)"


def test_every_flow_has_a_task_and_its_next_steps_are_intents():
    assert sorted(TASKS) == sorted(FORMS)
    for form, task in TASKS.items():
        assert 2 <= len(task.next_steps) <= 3, form
        assert set(task.next_steps) <= set(NEXT_STEP_TITLES), form
    assert sorted(set(NEXT_STEP_TITLES) - set(DOMAIN["intents"])) == []


# The session start must return SessionStarted whatever happens: an apology and no events
# would leave Rasa without a session, so a failure there stays a server error.
UNGUARDED = {contract.SESSION_START_ACTION}


def test_every_action_apologises_for_an_unexpected_failure():
    for name, action in registered().items():
        if name not in UNGUARDED:
            assert getattr(type(action).run, "guarded", False), f"{name}: run is not @guarded"


# ---------------------------------------------------------------- responses


@pytest.mark.parametrize("path", ACTION_FILES, ids=lambda path: path.name)
def test_every_response_the_actions_name_exists(path: Path):
    names = _utter_names(ast.parse(path.read_text()), path.name)
    assert sorted(names - set(RESPONSES)) == []


def test_the_f_string_responses_expand_to_existing_names():
    for source, expand in EXPANSIONS.items():
        names = expand()
        assert names, f"{source} expands to nothing: is the table out of date?"
        assert sorted(names - set(RESPONSES)) == [], source


def test_every_response_is_used():
    used = _step_values("action") | RASA_RESPONSES
    used |= {f"utter_ask_{slot}" for required in FORMS.values() for slot in required}
    for path in ACTION_FILES:
        used |= _utter_names(ast.parse(path.read_text()), path.name)
    assert sorted(set(RESPONSES) - used) == [], "responses no rule, story, form or action uses"


def test_every_button_names_an_intent_of_the_domain():
    for name, variations in RESPONSES.items():
        for variation in variations:
            for button in variation.get("buttons", []):
                payload = button["payload"]
                if payload.startswith("/"):
                    assert payload[1:] in DOMAIN["intents"], f"{name}: {payload}"


# ---------------------------------------------------------------- intents


@pytest.mark.parametrize("intent", DOMAIN["intents"])
def test_every_intent_has_examples_and_a_rule_or_story(intent):
    if intent not in PREDICTED_WITHOUT_EXAMPLES:
        assert _examples().get(intent, 0) >= MIN_EXAMPLES, f"fewer than {MIN_EXAMPLES} examples"
    assert intent in _step_values("intent"), "no rule or story in data/ uses it"


# ---------------------------------------------------------------- secrets


def _marked(response: str) -> bool:
    return all(v.get("custom") == SECRET_MARKER for v in RESPONSES[response])


def _secret_questions() -> dict[str, set[str]]:
    """Each secret slot of a form -> the responses that ask for it."""
    questions = {}
    for slot in {slot for required in FORMS.values() for slot in required}:
        if not contract.is_secret_slot(slot):
            continue
        action = registered().get(f"action_ask_{slot}")
        if action is None:
            questions[slot] = {f"utter_ask_{slot}"}
        else:
            source = inspect.getsource(type(action))
            questions[slot] = _utter_names(ast.parse(source), type(action).__name__)
    return questions


def test_every_secret_marker_is_the_contract_s():
    for name, variations in RESPONSES.items():
        for variation in variations:
            custom = variation.get("custom") or {}
            if contract.SECRET_INPUT_KEY in custom:
                assert custom == SECRET_MARKER, name


def test_a_question_is_marked_secret_if_and_only_if_it_asks_for_a_secret_slot():
    questions = _secret_questions()
    assert questions, "no secret slot found: has the suffix changed?"
    for slot, responses in questions.items():
        assert responses, f"{slot}: its question names no response to mark"
        unmarked = [name for name in responses if not _marked(name)]
        assert not unmarked, f"{slot} is secret: mark {unmarked} with custom: {{input: segreto}}"
    secret = set().union(*questions.values())
    for name, variations in RESPONSES.items():
        if any(contract.SECRET_INPUT_KEY in (v.get("custom") or {}) for v in variations):
            assert name in secret, f"{name} masks the input but asks for no secret slot"


def test_the_widget_masks_on_the_contract_s_marker():
    widget = (ROOT / "bot" / "channels" / "web" / "static" / "widget.js").read_text()
    key, value = contract.SECRET_INPUT_KEY, contract.SECRET_INPUT
    assert f'reply.custom.{key} === "{value}"' in widget


# ---------------------------------------------------------------- the contract's names


def test_the_contract_s_names_are_in_the_domain():
    slots = {contract.ACCOUNT_SLOT, contract.ATTEMPTS_SLOT, contract.DIGRESSIONS_SLOT}
    assert slots | {contract.CONTINUE_SLOT} <= set(DOMAIN["slots"])
    repair = {contract.CONTINUE_RESPONSE, contract.COMPLETED_RESPONSE}
    assert repair | {contract.INTERNAL_ERROR_RESPONSE} <= set(RESPONSES)
    assert {contract.SESSION_START_ACTION, contract.CANCEL_ACTION} <= set(DOMAIN["actions"])
    assert contract.CALLBACK_FORM in FORMS
    assert contract.GIVE_UP_RESPONSE in RESPONSES
    assert contract.HANDOFF_INTENT in DOMAIN["intents"]
    assert sorted(set(contract.INTENT_LABELS) - set(DOMAIN["intents"])) == []


def test_the_rating_offer_and_its_buttons_fit_the_domain():
    """The console offers a rating through Rasa's HTTP API with the contract's buttons: their
    payloads must name the domain's intent and entity, and the offer must be a slot that
    never steers the dialogue."""
    offer = DOMAIN["slots"][contract.RATING_OFFER_SLOT]
    assert (offer["type"], offer["influence_conversation"]) == ("text", False)
    assert offer["mappings"] == [{"type": "custom"}]
    assert DOMAIN["slots"][contract.RATING_ID_SLOT]["mappings"] == [{"type": "custom"}]
    assert contract.RATE_INTENT in DOMAIN["intents"]
    assert contract.RATING_ENTITY in DOMAIN["entities"]
    payload = re.compile(rf'/{contract.RATE_INTENT}\{{"{contract.RATING_ENTITY}":"(\w+)"\}}')
    votes = [payload.fullmatch(b["payload"]).group(1) for b in contract.rating_buttons()]
    assert votes == [contract.RATING_POSITIVE, contract.RATING_NEGATIVE]
    assert contract.operator_offer(7) == "operatore:7"
