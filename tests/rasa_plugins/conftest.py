"""Fixtures for the Rasa-side plugins; these tests run in the Rasa environment (.venv-rasa)."""

import uuid

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from bot.rasa_plugins.tracker_store import SportelloTrackerStore
from tests.support.services import postgres_url_for_rasa


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
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        schema = f"tracker_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
        request.addfinalizer(lambda: _drop_schema(admin, schema))
        monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's own setting
        url = POSTGRES
    return SportelloTrackerStore(domain=domain, host=url, recent_turns=3)


def _drop_schema(admin: sa.engine.Engine, schema: str) -> None:
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
