"""Fixtures for the Rasa-side plugins; these tests run in the Rasa environment (.venv-rasa)."""

import pytest
from rasa.shared.core.domain import Domain

from bot.tracker_store import SportelloTrackerStore


@pytest.fixture
def domain() -> Domain:
    return Domain.from_yaml(
        """
        version: "3.1"
        intents: [greet, inform]
        slots:
          email:
            type: text
            mappings: [{type: custom}]
          step:
            type: text
            mappings: [{type: custom}]
        forms:
          registration_form:
            required_slots: [email]
        responses:
          utter_greet: [{text: "Ciao!"}]
        """
    )


@pytest.fixture
def store(tmp_path, domain) -> SportelloTrackerStore:
    return SportelloTrackerStore(
        domain=domain, host=f"sqlite:///{tmp_path / 'tracker.db'}", recent_turns=3
    )
