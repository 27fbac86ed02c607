"""The app side's configuration: one settings object, read from the environment and validated.

Every process of the app environment (web app, action server, Telegram bridge, dispatcher,
CLI) reads its configuration here and nowhere else; README.md lists every variable. The Rasa
server cannot import this module (another Python, no pydantic): it reads its few variables
through ``bot/rasa_plugins/config.py``.

Outside development (``SPORTELLO_ENV=development``, which ``make run`` sets) a missing,
default or short ``SECRET_KEY`` or ``PORTAL_JWT_KEY`` is refused: each process calls
``settings_or_exit()`` when it starts and exits with the reasons.
"""

from email.utils import parseaddr
from functools import lru_cache
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from limits import parse_many
from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from backend.operator_hours import OperatorHours, parse_operator_hours

REPO_ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT = "development"
DEV_SECRET_KEY = "dev-only-change-me"
# HS256 and the HMAC-SHA256 of stored codes: a key shorter than the digest (32 bytes)
# weakens them, and PyJWT warns below it.
MIN_KEY_CHARS = 32


def default_sqlite_url(name: str) -> str:
    """A SQLite file in the checkout's var/ (the embedded default of `make run`)."""
    var = REPO_ROOT / "var"
    var.mkdir(exist_ok=True)
    return f"sqlite:///{var / name}"


def _http_url(value: str) -> str:
    """An absolute http(s) URL with a host, kept as written ("" where the setting is optional)."""
    parts = urlsplit(value)
    if value and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise ValueError("serve un URL completo, http:// o https://")
    return value


def _origin(value: str) -> str:
    """A site's origin: scheme, host and port, without a path."""
    if urlsplit(_http_url(value)).path not in ("", "/"):
        raise ValueError("ogni origine è solo schema, host e porta (es. https://www.esempio.it)")
    return value.rstrip("/")


def _database_url(value: str) -> str:
    try:
        if value:
            make_url(value)
    except ArgumentError:
        raise ValueError("non è un URL SQLAlchemy (es. postgresql+psycopg://…)") from None
    return value


def _sender(value: str) -> str:
    if "@" not in parseaddr(value)[1]:
        raise ValueError("serve un indirizzo, es. Sportello <no-reply@esempio.it>")
    return value


def _operator_hours(value: str) -> str:
    parse_operator_hours(value)  # refused here, at start-up, rather than mid-conversation
    return value


def _redis_url(value: str) -> str:
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("serve un URL redis://, rediss:// o unix://")
    return value


def _network(value: str) -> str:
    try:
        return str(ip_network(value, strict=False))
    except ValueError:
        raise ValueError("ogni proxy è un indirizzo IP o una rete (es. 10.0.0.0/8)") from None


def _rate_limit(value: str) -> str:
    """A rate in the ``limits`` notation: "20/minute", "60 per minute;500/hour"."""
    try:
        parse_many(value)
    except ValueError:
        raise ValueError("serve un limite come 20/minute o 60/minute;500/hour") from None
    return value


def _comma_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


HttpUrl = Annotated[str, AfterValidator(_http_url)]
DatabaseUrl = Annotated[str, AfterValidator(_database_url)]
Port = Annotated[int, Field(ge=1, le=65535)]
Positive = Annotated[int, Field(ge=1)]
RateLimit = Annotated[str, AfterValidator(_rate_limit)]


class Settings(BaseSettings):
    # Inputs stay out of validation errors: a refused key must not land in a log.
    model_config = SettingsConfigDict(
        env_prefix="", case_sensitive=False, extra="ignore", hide_input_in_errors=True
    )

    sportello_env: Literal["development", "production"] = "production"
    database_url: DatabaseUrl = ""
    # Rasa's conversation store, which the staff console indexes (Rasa reads the same
    # variable through bot/rasa_plugins/config.py).
    tracker_store_url: DatabaseUrl = ""
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    smtp_from: Annotated[str, AfterValidator(_sender)] = "Sportello <no-reply@sportello.local>"
    sms_gateway_url: HttpUrl = ""
    # HMAC key for stored code hashes: a 6-digit code alone is trivially brute-forced.
    secret_key: str = DEV_SECRET_KEY
    # The answers quote these two (actions/configuration.py), so they never contradict them.
    code_ttl_minutes: Positive = 30
    password_change_hours: Positive = 24
    # The portal's pages the answers link (the FAQ's «qui»); the defaults are the web app's
    # demo pages. The legal clauses that registration asks to accept, and the delega's own.
    clauses_url: HttpUrl = "http://localhost:8000/clausole-legali"
    delegation_clauses_url: HttpUrl = "http://localhost:8000/clausole-delega"
    help_online_url: HttpUrl = "http://localhost:8000/portale/help-online"
    registration_url: HttpUrl = "http://localhost:8000/portale/registrazione"
    producer_registration_url: HttpUrl = "http://localhost:8000/portale/area-produttori"
    # When Help OnLine's operators work, Europe/Rome (backend/operator_hours.py): the
    # callback's time slots and the promise of a call quote it.
    orari_operatori: Annotated[str, AfterValidator(_operator_hours)] = "lun-ven 8-20, sab 8-13"
    # Live hand-over (backend/live_chats.py): how long a customer waits in the queue before
    # the callback ticket replaces it, and how long an operator's chat may go without a word
    # from the customer before it ends.
    live_queue_timeout_seconds: Positive = 300
    live_idle_minutes: Positive = 15
    code_max_attempts: Positive = 5
    code_resend_seconds: Positive = 60
    code_max_per_hour: Positive = 5
    # The SMS budget (backend/sms_budget.py), each over the last hour: SMS the whole service
    # may queue, SMS to one number, SMS-sending flows one client (address, or conversation
    # where the channel gives none) may start.
    sms_hourly_budget: Positive = 200
    sms_per_number_per_hour: Positive = 3
    sms_flows_per_client_per_hour: Positive = 3
    login_max_failures: Positive = 5
    login_lock_minutes: Positive = 15
    # argon2id: ~90 ms per verification on this 2-core machine (make bench), inside the
    # 50-250 ms band with room for a loaded server.
    argon2_time_cost: Positive = 3
    argon2_memory_kib: Positive = 49152
    argon2_parallelism: Positive = 2
    dispatch_backoff_seconds: Positive = 5
    # A console session ends after this long without a request (and after 12 h anyway).
    console_idle_minutes: Positive = 30
    # Chat transcripts (the tracker store) and their console index are kept this long.
    transcript_retention_days: Positive = 365

    # --- the scheduler (backend/jobs.py): minutes between two runs of each job
    job_delegation_expiry_minutes: Positive = 15
    job_upload_purge_minutes: Positive = 10
    job_cleanup_minutes: Positive = 60  # console sessions, login throttling rows, old codes
    job_transcript_erasure_minutes: Positive = 1
    job_transcript_retention_minutes: Positive = 1440
    job_live_timeouts_minutes: Positive = 1

    # Operations: the Prometheus metrics server of the processes without an HTTP app of their
    # own (action server, dispatcher, polling bridge; 0: none) and the log lines' format.
    metrics_port: Annotated[int, Field(ge=0, le=65535)] = 0
    metrics_listen: str = "127.0.0.1"
    log_format: Literal["text", "json"] = "text"

    # --- the channels: where Rasa listens, the web widget, the portal hand-off, Telegram
    rasa_url: HttpUrl = "http://127.0.0.1:5005"
    rasa_timeout: Annotated[float, Field(gt=0)] = 30.0
    # Rasa's HTTP API token (``--auth-token``): the console pauses and resumes conversations.
    rasa_api_token: str = ""
    # Other sites whose pages may call the chat API from the browser (CORS), comma-separated.
    widget_origins: Annotated[
        list[Annotated[str, AfterValidator(_origin)]], NoDecode, BeforeValidator(_comma_list)
    ] = []
    # Shared with the portal, which signs its logged-in users' tokens; empty: no hand-off.
    portal_jwt_key: str = ""
    portal_demo_user: str = ""
    # Shared state of the channels' replicas: rate-limit counters and the web conversations'
    # renewed credentials (Rasa's lock store reads the same variable); empty: in memory.
    redis_url: Annotated[str, AfterValidator(_redis_url)] = ""
    # Reverse proxies whose X-Forwarded-For names the client (addresses or networks,
    # comma-separated); from any other peer the header is ignored.
    trusted_proxies: Annotated[
        list[Annotated[str, AfterValidator(_network)]], NoDecode, BeforeValidator(_comma_list)
    ] = []
    # A web conversation's credential lapses after this long without a message.
    web_conversation_hours: Positive = 24
    # Rate limits ("limits" notation): a person types a message every few seconds at most;
    # one address may be a whole office behind NAT.
    rate_limit_chat_conversation: RateLimit = "20/minute"
    rate_limit_chat_client: RateLimit = "60/minute;600/hour"
    rate_limit_documents_conversation: RateLimit = "10/hour"
    rate_limit_documents_client: RateLimit = "30/hour"
    rate_limit_telegram_chat: RateLimit = "20/minute"
    # The widget's long poll of a live hand-over (GET /api/chat/diretta): an idle one asks
    # about twice a minute; the conversation's limit bounds a client asking in a tight loop.
    rate_limit_live_client: RateLimit = "300/minute"
    rate_limit_live_conversation: RateLimit = "40/minute"
    # How long that poll waits for a message before answering empty, and how often a waiting
    # poll reads the database again (messages written by a process that does not wake it).
    live_feed_wait_seconds: Annotated[float, Field(gt=0, le=60)] = 25.0
    live_feed_recheck_seconds: Annotated[float, Field(gt=0)] = 2.0
    # How often the Telegram bridge sends the operators' messages of its live chats.
    telegram_live_interval_seconds: Annotated[float, Field(gt=0)] = 1.0
    telegram_bot_token: str = ""
    telegram_api_base_url: HttpUrl = "https://api.telegram.org/bot"
    # Derived from the base URL when empty (".../bot" -> ".../file/bot").
    telegram_api_file_url: HttpUrl = ""
    telegram_webhook_url: HttpUrl = ""  # empty: long polling
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: Port = 8443
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -; empty: a random one.
    telegram_webhook_secret: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,256}$")] = ""

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        problems = []
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            problems.append("ARGON2_MEMORY_KIB: almeno 8 KiB per ogni ARGON2_PARALLELISM")
        if self.sportello_env != DEVELOPMENT:
            problems += self._production_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _production_problems(self) -> list[str]:
        """What development allows and a real deployment must not run with."""
        key = f"una chiave casuale di almeno {MIN_KEY_CHARS} caratteri"
        problems = []
        if self.secret_key == DEV_SECRET_KEY or len(self.secret_key) < MIN_KEY_CHARS:
            problems.append(f"SECRET_KEY: manca, è quella di sviluppo o è corta: serve {key}")
        if self.portal_jwt_key and len(self.portal_jwt_key) < MIN_KEY_CHARS:
            problems.append(f"PORTAL_JWT_KEY: troppo corta: serve {key} (o nessuna)")
        if self.portal_jwt_key and self.portal_jwt_key == self.secret_key:
            problems.append("PORTAL_JWT_KEY: non può essere uguale a SECRET_KEY")
        if self.portal_demo_user:
            problems.append("PORTAL_DEMO_USER: solo in sviluppo (chiunque sarebbe autenticato)")
        if problems:
            problems.append("(in sviluppo: SPORTELLO_ENV=development, come fa make run)")
        return problems

    def operator_hours(self) -> OperatorHours:
        return parse_operator_hours(self.orari_operatori)

    def resolved_database_url(self) -> str:
        return self.database_url or default_sqlite_url("sportello.db")

    def resolved_tracker_store_url(self) -> str:
        return self.tracker_store_url or default_sqlite_url("tracker.db")

    def resolved_telegram_api_file_url(self) -> str:
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        base = self.telegram_api_base_url.rstrip("/")
        root, _, last = base.rpartition("/")
        return f"{root}/file/{last}" if last == "bot" else f"{base}/file/bot"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def refusal(error: ValidationError) -> str:
    """Why the settings are refused, one variable a line, without the values given."""
    lines = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        name = str(problem["loc"][0]).upper() if problem["loc"] else ""
        lines += [f"  {name}: {message}" if name else f"  {line}" for line in message.split("\n")]
    return "\n".join(["Configurazione non valida, Sportello non parte:", *lines])


def settings_or_exit() -> Settings:
    """The settings a process starts with; exits (status 1) with the reasons when refused."""
    try:
        return get_settings()
    except ValidationError as error:
        raise SystemExit(refusal(error)) from None
