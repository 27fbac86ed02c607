"""Fixtures for the Rasa-side plugins; these tests run in the Rasa environment (.venv-rasa)."""

import pytest
from rasa.shared.core.domain import Domain

from bot.rasa_plugins.tracker_store import SportelloTrackerStore
from tests.support.services import postgres_schema, postgres_url_for_rasa


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
          nuova_password:
            type: any
            mappings: [{type: custom}]
        forms:
          registration_form:
            required_slots: [email, nuova_password]
        responses:
          utter_greet: [{text: "Ciao!"}]
        """
    )


POSTGRES = postgres_url_for_rasa()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, domain, monkeypatch) -> SportelloTrackerStore:
    """The store on a fresh SQLite file, or in a fresh schema of the test PostgreSQL."""
    if request.param == "sqlite":
        yield SportelloTrackerStore(domain, f"sqlite:///{tmp_path / 'tracker.db'}", recent_turns=3)
        return
    with postgres_schema("tracker", POSTGRES) as schema:
        monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's own setting
        yield SportelloTrackerStore(domain, POSTGRES, recent_turns=3)
