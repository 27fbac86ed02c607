"""Registration over REST with the real servers: the codes are read from the outbox."""

import pytest

from backend.models import AccountStatus
from tests.tools.stack import said

pytestmark = pytest.mark.e2e

MOBILE = "+393471112233"


def register_until_codes(chat, email: str, fiscal_code: str) -> None:
    assert "Vuoi che ti registri io" in said(chat("buongiorno, come mi registro al portale?"))
    chat("sì grazie")
    chat("sono un privato")
    chat("mi chiamo Anna Maria De Santis")
    chat(f"il mio cf è {fiscal_code.lower()}")
    chat(f"la mia mail è {email}")
    assert "termina con …33" in said(chat("+39 347 111 2233"))


def test_a_person_registers_in_the_chat_and_ends_logged_in(chat, code_for, uow, stack):
    email = "anna.desantis@example.it"
    register_until_codes(chat, email, "DSNNMR85M41F205G")
    sms_code = code_for(MOBILE)
    assert "a****s@e****.it" in said(chat(sms_code))
    email_code = code_for(email)
    assert "clausole legali" in said(chat(email_code))
    assert "password" in said(chat("accetto"))
    assert "Registrazione completata" in said(chat("Sportello#2024"))
    assert "Hai già effettuato l'accesso" in said(chat("voglio fare il login"))
    with uow() as work:
        account = work.accounts.first(email=email)
        assert account.status == AccountStatus.ACTIVE
        assert (account.first_name, account.last_name) == ("Anna Maria", "De Santis")
        assert account.mobile == MOBILE and account.password_hash.startswith("$argon2")
    tracker = stack.tracker_bytes()
    for secret in ("Sportello#2024", sms_code, email_code):
        assert secret.encode() not in tracker


def test_a_customer_logs_in_and_out(chat, logged_in):
    assert "Hai già effettuato l'accesso" in said(chat("login"))
    assert "Sei uscito" in said(chat("esci"))
    assert "Non hai effettuato l'accesso" in said(chat("logout"))


def test_a_wrong_password_three_times_offers_help_online(chat, customer):
    chat("voglio accedere")
    chat(customer.email)
    chat("Sbagliata#1")
    chat("Sbagliata#2")
    reply = said(chat("Sbagliata#3"))
    assert "Username o password non corretti" in reply and "803.500" in reply
