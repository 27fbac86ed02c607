"""The ``sportello`` command line.

Other packages add their own subcommands through the ``sportello.cli`` entry-point group:
each entry point names a ``typer.Typer`` that is mounted under the entry point's name. Every
subcommand starts with the settings checked: refused ones end the command with the reasons.
"""

import contextlib
import logging
import threading
from importlib.metadata import entry_points
from pathlib import Path

import typer

from backend import bootstrap, db, demo, jobs, logs, metrics, outbox, staff, training
from backend.dispatch import Dispatcher, senders_from_settings
from backend.errors import BackendError, InvalidInput
from backend.settings import get_settings, settings_or_exit
from backend.validators import validate_phone

app = typer.Typer(no_args_is_help=True)
db_app = typer.Typer(help="Database.", no_args_is_help=True)
staff_app = typer.Typer(help="Operatori della console.", no_args_is_help=True)
jobs_app = typer.Typer(
    help="Lavori periodici (li esegue il processo scheduler).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
app.add_typer(jobs_app, name="jobs")


@app.callback()
def check_settings() -> None:
    """Sportello: strumenti di amministrazione."""
    settings_or_exit()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply the migrations to DATABASE_URL."""
    db.upgrade(bootstrap.engine(), revision)
    typer.echo(f"Database aggiornato ({revision}).")


def _recipient(value: str) -> str:
    if "@" in value:
        return value.strip().lower()
    try:
        return validate_phone(value)
    except InvalidInput:
        return value.strip()


@app.command("outbox")
def show_outbox(
    to: str | None = typer.Option(
        None, "--to", help="Solo i messaggi per questo indirizzo o numero."
    ),
    last: bool = typer.Option(False, "--last", help="Solo l'ultimo messaggio."),
    as_json: bool = typer.Option(False, "--json", help="Un oggetto JSON per riga."),
) -> None:
    """Print the e-mails and SMS in the outbox (the dev sink)."""
    messages = outbox.list_messages(bootstrap.unit_of_work(), _recipient(to) if to else None)
    for message in messages[-1:] if last else messages:
        if as_json:
            typer.echo(outbox.as_json(message))
        else:
            typer.echo(
                f"--- {message.created_at:%Y-%m-%d %H:%M:%S} {message.channel} "
                f"a {message.recipient} [{message.status}]"
            )
            if message.subject:
                typer.echo(f"Oggetto: {message.subject}")
            typer.echo(message.body)


@app.command("dispatch")
def run_dispatcher(
    once: bool = typer.Option(False, "--once", help="Consegna quanto è in coda ed esci."),
    poll: float = typer.Option(2.0, help="Secondi tra un giro e l'altro."),
) -> None:
    """Deliver the outbox over SMTP and the SMS gateway."""
    settings = get_settings()
    senders = senders_from_settings(settings)
    if not senders:
        typer.echo("Nessun SMTP_HOST né SMS_GATEWAY_URL: i messaggi restano nella tabella outbox.")
    dispatcher = Dispatcher(bootstrap.unit_of_work().session_factory, senders, settings)
    if once:
        typer.echo(f"Consegnati {dispatcher.dispatch_once(batch=10_000)} messaggi.")
        return
    logs.configure(settings)
    metrics.serve(settings)
    stop = threading.Event()
    try:
        dispatcher.run(stop, poll)
    except KeyboardInterrupt:
        stop.set()


def _log_jobs() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


@app.command("scheduler")
def run_scheduler() -> None:
    """Run every job at its interval (JOB_*_MINUTES), in the foreground; Ctrl-C stops it."""
    _log_jobs()
    with contextlib.suppress(KeyboardInterrupt):
        jobs.scheduler(get_settings()).start()


@jobs_app.command("list")
def jobs_list() -> None:
    """The jobs, how often they run and when they last finished."""
    settings = get_settings()
    runs = jobs.last_runs(settings)
    for job in jobs.all_jobs().values():
        minutes = int(jobs.interval(job, settings).total_seconds() // 60)
        run = runs.get(job.name)
        last = "mai eseguito"
        if run is not None and run.last_finished_at is not None:
            last = f"ultimo {run.last_finished_at:%Y-%m-%d %H:%M} UTC, {run.last_result} trattati"
        typer.echo(f"{job.name}\togni {minutes} min\t{last}\t{job.description}")


@jobs_app.command("run")
def jobs_run(name: str) -> None:
    """Run one job now (unless another scheduler is running it)."""
    _log_jobs()
    found = jobs.all_jobs().get(name)
    if found is None:
        typer.echo(f"Nessun lavoro {name}: vedi «sportello jobs list».", err=True)
        raise typer.Exit(2)
    outcome = jobs.run_job(found, get_settings())
    if not outcome.ran:
        typer.echo(f"{name}: in esecuzione altrove, non l'ho avviato.")
        raise typer.Exit(1)
    typer.echo(f"{name}: fatto, {outcome.handled} trattati.")


@app.command("export-training")
def export_training(
    output: str | None = typer.Option(
        None, "--output", help="File da scrivere (altrimenti stdout)."
    ),
) -> None:
    """Print the messages staff marked as misunderstood, as Rasa NLU YAML to review."""
    text = training.export_yaml(bootstrap.unit_of_work())
    if output is None:
        typer.echo(text, nl=False)
        return
    Path(output).write_text(text, encoding="utf-8")
    typer.echo(f"Esempi da rivedere scritti in {output}.")


@app.command("demo-data")
def demo_data() -> None:
    """Load a few demo users, PODs, practices and a delegation (idempotent)."""
    data = demo.load_demo_data(bootstrap.unit_of_work())
    typer.echo(f"Password di tutti gli utenti demo: {data.password}")
    for email, account_id in data.accounts.items():
        typer.echo(f"utente {account_id}: {email}")
    typer.echo("POD: " + ", ".join(data.pods))
    typer.echo("pratiche: " + ", ".join(data.practices))
    typer.echo(f"delega attiva: {data.delegation_id}")


@staff_app.command("add")
def staff_add(
    username: str,
    role: str = typer.Option("agent", help="agent o supervisor"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Create a console operator with a hashed password."""
    try:
        staff_id = staff.add_staff(bootstrap.unit_of_work(), username, role, password)
    except BackendError as exc:
        typer.echo(exc.message_it, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Operatore {username} creato (id {staff_id}, ruolo {role}).")


@staff_app.command("password")
def staff_password(
    username: str,
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Give an operator a new password; their open sessions end."""
    _staff_change(staff.change_staff_password, username, password)
    typer.echo(f"Password di {username} cambiata: le sessioni aperte sono chiuse.")


@staff_app.command("disable")
def staff_disable(username: str) -> None:
    """Stop an operator from logging in (kept for the audit trail); their sessions end."""
    _staff_change(staff.disable_staff, username)
    typer.echo(f"Operatore {username} disattivato.")


@staff_app.command("list")
def staff_list() -> None:
    """The console's operators, their role and whether they are active."""
    for user in staff.list_staff(bootstrap.unit_of_work()):
        state = f"disattivato il {user.disabled_at:%d/%m/%Y}" if user.disabled_at else "attivo"
        typer.echo(f"{user.username}\t{user.role}\t{state}")


def _staff_change(change, *args: str) -> None:
    try:
        change(bootstrap.unit_of_work(), *args)
    except BackendError as exc:
        typer.echo(exc.message_it, err=True)
        raise typer.Exit(1) from exc


def _mount_plugins() -> None:
    for entry in entry_points(group="sportello.cli"):
        app.add_typer(entry.load(), name=entry.name)


_mount_plugins()
