"""The ``sportello`` command line on both databases."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from backend import documents
from backend import settings as settings_module
from backend.bootstrap import unit_of_work
from backend.cli import app
from backend.settings import REPO_ROOT, Settings

runner = CliRunner()
INTENTS = {"faq_come_registrarsi"}
PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.fixture
def cli(database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "8")
    monkeypatch.setenv("ARGON2_PARALLELISM", "1")
    for name in ("SMTP_HOST", "SMS_GATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    settings_module.get_settings.cache_clear()

    def invoke(*args, **kwargs):
        result = runner.invoke(app, list(args), catch_exceptions=False, **kwargs)
        return result

    yield invoke
    settings_module.get_settings.cache_clear()


def test_demo_data_is_idempotent_and_shows_up_in_the_outbox_tools(cli):
    first = cli("demo-data")
    assert first.exit_code == 0 and "mario.rossi@example.it" in first.output
    assert cli("demo-data").output == first.output
    assert "delega attiva" in first.output and "IT001E12345678" in first.output


def test_outbox_prints_json_lines_filtered_by_recipient(cli, database):
    from backend import accounts, credentials

    uow = database.uow()
    accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id="RSSMRA85T10A562S",
        email="mario@gmail.com",
        mobile="333 1234567",
        first_name="Mario",
        last_name="Rossi",
    )
    credentials.request_password_reset(database.uow(), "nobody@gmail.com")
    result = cli("outbox", "--to", "+39 333-123-4567", "--json")
    [line] = result.output.splitlines()
    message = json.loads(line)
    assert set(message) == {"to", "channel", "subject", "body", "created_at"}
    assert (message["to"], message["channel"]) == ("+393331234567", "sms")
    assert cli("outbox", "--to", "mario@gmail.com").output == ""
    text = cli("outbox", "--last").output
    assert "sms a +393331234567" in text and "codice di verifica" in text


def test_outbox_last_shows_only_the_newest(cli, database):
    from backend import outbox

    uow = database.uow()
    with uow:
        outbox.send_email(uow, "a@gmail.com", "email_welcome", name="A")
        outbox.send_email(uow, "b@gmail.com", "email_welcome", name="B")
        uow.commit()
    lines = cli("outbox", "--json", "--last").output.splitlines()
    assert [json.loads(line)["to"] for line in lines] == ["b@gmail.com"]
    assert "Oggetto: Registrazione completata" in cli("outbox", "--to", "a@gmail.com").output


def test_staff_add_stores_a_hashed_password(cli, database):
    result = cli(
        "staff", "add", "anna", "--role", "supervisor", input="Console#2024\nConsole#2024\n"
    )
    assert result.exit_code == 0 and "ruolo supervisor" in result.output
    from backend import staff

    assert staff.authenticate_staff(database.uow(), "anna", "Console#2024").role == "supervisor"
    refused = runner.invoke(app, ["staff", "add", "bob", "--role", "admin", "--password", "x"])
    assert refused.exit_code == 1 and "agent o supervisor" in refused.output


def test_an_operator_who_left_is_disabled_and_a_password_is_reset(cli, database):
    from backend import staff

    anna = staff.add_staff(database.uow(), "anna", "agent", "Console#2024")
    token, _ = staff.open_session(database.uow(), anna)
    changed = cli("staff", "password", "Anna", input="Nuova#Console26\nNuova#Console26\n")
    assert changed.exit_code == 0 and staff.session_for(database.uow(), token) is None
    assert staff.authenticate_staff(database.uow(), "anna", "Console#2024") is None
    token, _ = staff.open_session(database.uow(), anna)
    assert cli("staff", "disable", "anna").exit_code == 0
    assert staff.session_for(database.uow(), token) is None
    assert staff.authenticate_staff(database.uow(), "anna", "Nuova#Console26") is None
    assert "anna\tagent\tdisattivato il" in cli("staff", "list").output
    unknown = runner.invoke(app, ["staff", "disable", "nessuno"])
    assert unknown.exit_code == 1 and "Nessun operatore" in unknown.output


def test_export_training_to_stdout_or_a_file(cli, database, tmp_path):
    from backend import staff, training

    anna = staff.add_staff(database.uow(), "anna", "agent", "Console#2024")
    training.mark_misunderstood(
        database.uow(), 5, "come faccio?", "faq_come_registrarsi", anna, INTENTS
    )
    printed = cli("export-training")
    assert printed.exit_code == 0 and printed.output == training.export_yaml(database.uow())
    target = tmp_path / "da_rivedere.yml"
    written = cli("export-training", "--output", str(target))
    assert str(target) in written.output
    assert target.read_text(encoding="utf-8") == printed.output


def test_dispatch_once_without_transports_says_so(cli):
    result = cli("dispatch", "--once")
    assert "restano nella tabella outbox" in result.output and "Consegnati 0" in result.output


def test_db_upgrade_works_from_any_directory(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = os.environ | {"DATABASE_URL": url}
    sportello = Path(sys.executable).with_name("sportello")
    done = subprocess.run(
        [sportello, "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {"accounts", "outbox", "delegations", "alembic_version"} <= tables


def test_default_database_is_a_file_under_var_in_the_repository(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = Settings().resolved_database_url()
    assert url == f"sqlite:///{REPO_ROOT / 'var' / 'sportello.db'}"
    assert (REPO_ROOT / "var").is_dir()


def test_db_upgrade_command_is_idempotent(cli):
    assert "Database aggiornato (head)" in cli("db", "upgrade").output


def test_migrations_downgrade_and_upgrade_again(tmp_path):
    from alembic import command

    from backend import db

    engine = db.make_engine(f"sqlite:///{tmp_path / 'cycle.db'}")
    db.upgrade(engine)
    command.downgrade(db.alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    db.upgrade(engine)
    assert "accounts" in inspect(engine).get_table_names()


def test_other_packages_mount_their_subcommands(monkeypatch):
    import typer

    from backend import cli

    plugin = typer.Typer()

    @plugin.command()
    def hello() -> None:
        typer.echo("ciao dal plugin")

    class Entry:
        name = "prova"

        def load(self):
            return plugin

    monkeypatch.setattr(
        cli, "entry_points", lambda group: [Entry()] if group == "sportello.cli" else []
    )
    monkeypatch.setattr(cli, "app", typer.Typer())
    cli.app.command("noop")(lambda: None)
    cli._mount_plugins()
    result = runner.invoke(cli.app, ["prova", "hello"])
    assert result.exit_code == 0 and "ciao dal plugin" in result.output


def test_jobs_are_listed_and_run_by_hand(cli, database):
    uow = lambda: unit_of_work(Settings(database_url=database.url))  # noqa: E731
    fresh, stale = (documents.store_upload(uow(), PDF) for _ in range(2))
    with database.engine.begin() as connection:
        connection.execute(
            text("UPDATE documents SET created_at = :then WHERE id = :id"),
            {"then": datetime(2020, 1, 1), "id": int(stale.partition(".")[0])},
        )
    listed = cli("jobs", "list").output
    assert "upload_purge\togni 10 min\tmai eseguito" in listed
    assert "delegation_expiry" in listed and "transcript_retention" in listed
    assert cli("jobs", "run", "upload_purge").output == "upload_purge: fatto, 1 trattati.\n"
    assert documents.check_upload(uow(), fresh) == "application/pdf"
    with database.engine.connect() as connection:
        left = "SELECT count(*) FROM documents WHERE id = :id"
        assert connection.execute(text(left), {"id": int(stale.partition(".")[0])}).scalar() == 0
    assert "ultimo " in cli("jobs", "list").output
    unknown = cli("jobs", "run", "nessuno")
    assert unknown.exit_code == 2 and "sportello jobs list" in unknown.output
