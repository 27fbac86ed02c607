"""The settings: read from the environment, validated, strict about keys outside development."""

import pytest
from pydantic import ValidationError

from backend.settings import Settings, get_settings, refusal, settings_or_exit

STRONG = "s" * 32
PORTAL = "p" * 32


@pytest.fixture(autouse=True)
def no_keys_in_the_environment(monkeypatch):
    for name in ("SECRET_KEY", "PORTAL_JWT_KEY", "PORTAL_DEMO_USER", "WIDGET_ORIGINS"):
        monkeypatch.delenv(name, raising=False)


def production(**values) -> Settings:
    return Settings(sportello_env="production", **values)


def refused(**values) -> str:
    """Why production refuses these values (the message a process exits with)."""
    with pytest.raises(ValidationError) as error:
        production(**values)
    return refusal(error.value)


@pytest.mark.parametrize("key", [None, "dev-only-change-me", "s" * 31])
def test_production_refuses_a_missing_default_or_short_secret_key(key):
    message = refused(**({"secret_key": key} if key else {}))
    assert "SECRET_KEY" in message and "SPORTELLO_ENV=development" in message


def test_production_runs_with_a_strong_secret_key_and_no_portal_key():
    settings = production(secret_key=STRONG)
    assert settings.portal_jwt_key == "" and settings.sportello_env == "production"


def test_production_refuses_a_short_portal_key_or_the_secret_key_reused():
    assert "PORTAL_JWT_KEY: troppo corta" in refused(secret_key=STRONG, portal_jwt_key="p" * 31)
    assert "uguale a SECRET_KEY" in refused(secret_key=STRONG, portal_jwt_key=STRONG)
    assert production(secret_key=STRONG, portal_jwt_key=PORTAL).portal_jwt_key == PORTAL


def test_production_refuses_the_demo_portal_user():
    message = refused(secret_key=STRONG, portal_jwt_key=PORTAL, portal_demo_user="a@b.it")
    assert "PORTAL_DEMO_USER" in message


def test_development_allows_the_default_keys(monkeypatch):
    monkeypatch.setenv("SPORTELLO_ENV", "development")
    settings = Settings(portal_jwt_key="corta", portal_demo_user="mario.rossi@example.it")
    assert settings.secret_key == "dev-only-change-me"


def test_the_refusal_names_the_variables_but_never_their_values():
    message = refused(secret_key="corta-ma-segreta", portal_jwt_key="anche-questa")
    assert "SECRET_KEY" in message and "PORTAL_JWT_KEY" in message
    assert "corta-ma-segreta" not in message and "anche-questa" not in message


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SPORTELLO_ENV", "prod"),
        ("RASA_URL", "127.0.0.1:5005"),
        ("RASA_URL", "ftp://rasa.example.it"),
        ("CLAUSES_URL", "/clausole-legali"),
        ("DELEGATION_CLAUSES_URL", "clausole-delega"),
        ("HELP_ONLINE_URL", "www.esempio.it/help"),
        ("REGISTRATION_URL", "javascript:alert(1)"),
        ("PRODUCER_REGISTRATION_URL", "ftp://esempio.it"),
        ("ORARI_OPERATORI", "dalle 8 alle 20"),
        ("ORARI_OPERATORI", "lun-ven 20-8"),
        ("SMS_GATEWAY_URL", "gateway"),
        ("DATABASE_URL", "non un url"),
        ("TRACKER_STORE_URL", "sqlite//var/tracker.db"),
        ("SMTP_PORT", "0"),
        ("TELEGRAM_WEBHOOK_PORT", "70000"),
        ("SMTP_FROM", "Sportello"),
        ("CODE_TTL_MINUTES", "0"),
        ("PASSWORD_CHANGE_HOURS", "-1"),
        ("RASA_TIMEOUT", "0"),
        ("ARGON2_MEMORY_KIB", "15"),  # 8 KiB per lane, 2 lanes
        ("WIDGET_ORIGINS", "https://portale.example.it/pagina"),
        ("TELEGRAM_WEBHOOK_SECRET", "con spazi"),
    ],
)
def test_a_malformed_value_is_refused_naming_its_variable(monkeypatch, variable, value):
    monkeypatch.setenv("SPORTELLO_ENV", "development")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert f"  {variable}:" in refusal(error.value)


def test_the_operators_hours_come_parsed(monkeypatch):
    monkeypatch.setenv("ORARI_OPERATORI", "lun-gio 9-17:30")
    assert Settings().operator_hours().describe_it() == "dal lunedì al giovedì dalle 9 alle 17:30"


def test_the_refusal_says_what_is_wrong_with_the_hours(monkeypatch):
    monkeypatch.setenv("SPORTELLO_ENV", "development")
    monkeypatch.setenv("ORARI_OPERATORI", "lun-ven 8-20, ven 9-12")
    with pytest.raises(ValidationError) as error:
        Settings()
    assert "ORARI_OPERATORI: «ven 9-12»: un giorno compare in due fasce" in refusal(error.value)


def test_widget_origins_are_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("WIDGET_ORIGINS", " https://portale.example.it/, http://127.0.0.1:8081 ,")
    assert Settings().widget_origins == ["https://portale.example.it", "http://127.0.0.1:8081"]


def test_a_process_with_refused_settings_exits_with_the_reasons(monkeypatch):
    monkeypatch.setenv("SPORTELLO_ENV", "production")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stopped:
            settings_or_exit()
    finally:
        get_settings.cache_clear()
    assert str(stopped.value).startswith("Configurazione non valida, Sportello non parte:")
