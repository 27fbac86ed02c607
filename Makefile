# Sportello — every command a developer or CI needs. `make help` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
# Rasa imports our plugins (bot/rasa_plugins/) and the contract (actions/contract.py) from the checkout.
RASA := PYTHONPATH=$(CURDIR) $(RASA_VENV)/bin/rasa
MODEL := models/sportello.tar.gz
TRAINING_INPUTS := config.yml domain.yml bot/rasa_plugins/nlu.py actions/contract.py $(shell find data -type f -name '*.yml')

# Rasa 3.6 runs only on Python 3.8-3.10: find a 3.10 on PATH or through pyenv.
PYTHON310 = $(shell for py in python3.10 \
	"$$(pyenv root 2>/dev/null)/versions/$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$$' | tail -1)/bin/python3.10"; do \
	"$$py" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { command -v "$$py"; break; }; done)

.PHONY: help install run train shell eval bench lint validate test test-fast test-python test-stories test-nlu test-scale clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

install: $(VENV)/.installed $(RASA_VENV)/.installed ## Build both environments from the lock files

$(VENV)/.installed: requirements/app.lock pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --quiet --no-deps -r requirements/app.lock
	$(VENV)/bin/pip install --quiet --quiet --no-deps --no-build-isolation -e .
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.lock
	@if [ -z "$(PYTHON310)" ]; then \
		echo "Python 3.10 is required for Rasa 3.6 and was not found." >&2; \
		echo "Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv'." >&2; \
		exit 1; fi
	$(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet --quiet --no-deps -r requirements/rasa.lock
	touch $@

$(MODEL): $(RASA_VENV)/.installed $(TRAINING_INPUTS)
	$(RASA) train --fixed-model-name sportello --out models
	touch $@

train: $(MODEL) ## Train the model if the data or the configuration changed

# What a developer starts runs in development mode: the default keys are allowed (README,
# Configuration); a deployment sets SECRET_KEY instead.
run shell bench: export SPORTELLO_ENV ?= development
# On a developer's machine the operators are at work at any hour, so the live hand-over can
# be tried at night too; a deployment sets its office hours (README, Configuration).
run shell: export ORARI_OPERATORI ?= lun-dom 0-24

run: install $(MODEL) ## Start Rasa (5005), actions (5055), web (8000), the outbox dispatcher, the scheduler, Telegram if TELEGRAM_BOT_TOKEN is set; Ctrl-C stops all
	$(VENV)/bin/sportello db upgrade
	@# Every Procfile process, but the Telegram bridge only with a bot token.
	$(VENV)/bin/honcho start -f Procfile $$(awk -F: '/^[a-z]+:/ && ($$1 != "telegram" || ENVIRON["TELEGRAM_BOT_TOKEN"] != "") {print $$1}' Procfile)

shell: install $(MODEL) ## Chat in the terminal (starts the action server alongside)
	$(VENV)/bin/sportello db upgrade
	$(PY) -m rasa_sdk --actions actions --port 5055 >var/actions.log 2>&1 & trap 'kill %1' EXIT; \
	$(RASA) shell --model $(MODEL) --endpoints endpoints.yml

eval: $(RASA_VENV)/.installed $(VENV)/.installed ## NLU cross-validation of the candidate pipelines into reports/
	$(PY) -m tests.tools.nlu_eval

bench: install $(MODEL) ## Measure the stack (latency, throughput, memory, start-up, training), the backend, the web widget, the live hand-over's feeds, the console's conversation index, the secret detector, 1 vs 2 replicas behind HAProxy
	$(PY) -m tests.bench.stack
	$(PY) -m tests.bench.flows
	$(PY) -m tests.bench.backend
	$(PY) -m tests.bench.widget
	$(PY) -m tests.bench.live
	$(PY) -m tests.bench.telegram
	$(PY) -m tests.bench.console
	$(PY) -m tests.bench.redaction
	$(PY) -m tests.bench.replicas

lint: $(VENV)/.installed ## Static checks: ruff (lint, format), vulture (dead code)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/vulture

validate: $(RASA_VENV)/.installed ## Check the Rasa project (domain, data, rules) for errors and warnings
	$(RASA) data validate --fail-on-warnings --domain domain.yml --data data --config config.yml

test: install lint validate $(MODEL) test-stories test-nlu test-python ## The whole test suite (what CI runs)

test-python: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL) ## pytest: Rasa plugins, then unit, integration, end-to-end, browser and Telegram; coverage floors per package
	rm -rf reports/coverage-rasa && mkdir -p reports/coverage-rasa
	PYTHONPATH=$(CURDIR) $(RASA_VENV)/bin/python -m coverage run --source=bot/rasa_plugins \
		--data-file=reports/coverage-rasa/.coverage -m pytest -p no:cacheprovider tests/rasa_plugins
	$(VENV)/bin/pytest --cov --cov-report=
	$(PY) -m tests.tools.coverage_floors reports/coverage-rasa

test-fast: $(VENV)/.installed ## Unit and integration tests, no running stack (under a minute): the inner loop
	$(VENV)/bin/pytest -q -m "not e2e"

test-stories: $(MODEL) ## Rasa test stories: every FAQ, chit-chat and fallback path
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out reports/stories

test-nlu: $(RASA_VENV)/.installed $(VENV)/.installed ## Train on 80% of the NLU data, test on the rest (3 splits): assert topic and intent macro-F1
	$(PY) -m tests.tools.nlu_heldout

test-scale: $(VENV)/.installed $(RASA_VENV)/.installed $(MODEL) ## 2 Rasa, 2 action servers, 2 web apps behind HAProxy on PostgreSQL and Redis: 100 conversations, one Rasa and one action server killed mid-run (~5 min)
	@command -v haproxy >/dev/null || { echo "HAProxy is required: apt-get install haproxy" >&2; exit 1; }
	$(PY) -m tests.scale.run

clean: ## Remove environments, models, reports and local databases
	rm -rf $(VENV) $(RASA_VENV) models reports var .rasa
