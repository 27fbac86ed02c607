"""Registration over REST with the real servers: the codes are read from the outbox."""

import pytest

from backend.entities import AccountStatus
from tests.support.chat import said

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
    for secret in ("Sportello#2024", sms_code, email_code):
        assert not stack.tracker_holds(secret)


def test_a_customer_logs_in_and_out(chat, logged_in):
    assert "Hai già effettuato l'accesso" in said(chat("login"))
    assert "Ti ho disconnesso" in said(chat("esci"))
    assert "Non hai effettuato l'accesso" in said(chat("logout"))


def test_the_login_ends_with_the_session(chat, logged_in):
    chat.new_session()
    assert "Scrivi l'e-mail" in said(chat("voglio accedere"))


def test_a_wrong_password_three_times_offers_help_online(chat, customer):
    chat("voglio accedere")
    chat(customer.email)
    chat("Sbagliata#1")
    chat("Sbagliata#2")
    reply = said(chat("Sbagliata#3"))
    assert "Username o password non corretti" in reply and "803.500" in reply


def start_person(chat) -> None:
    chat("voglio registrarmi")
    chat("persona fisica")
    chat("Luca Verdi")


@pytest.mark.parametrize(
    ("answers", "reason"),
    [
        (["RSSMRA80A01H501X"], "Codice Fiscale non è valido"),
        (["VRDLCU80A01H501G", "luca@legalmail.it"], "PEC"),
        (["VRDLCU80A01H501G", "luca.verdi@example.it", "+44 7700 900123"], "cellulare italiano"),
        (["VRDLCU80A01H501G", "luca.verdi@example.it", "02 1234 5678"], "cellulare italiano"),
    ],
    ids=["invalid fiscal code", "PEC", "foreign number", "landline"],
)
def test_bad_data_is_reasked_with_the_reason_and_stores_nothing(chat, uow, answers, reason):
    start_person(chat)
    *before, bad = answers
    for answer in before:
        chat(answer)
    reply = said(chat(bad))
    assert reason in reply
    with uow() as work:
        assert work.accounts.first(fiscal_code="VRDLCU80A01H501G") is None


def test_three_bad_answers_end_the_flow_with_help_online_and_it_can_start_again(chat):
    start_person(chat)
    chat("non me lo ricordo")
    chat("RSSMRA80A01H501X")
    reply = said(chat("boh"))
    assert "Help OnLine" in reply and "803.500" in reply
    assert "persona fisica o come azienda" in said(chat("voglio registrarmi"))


def test_a_company_registers_with_its_representative_and_no_secret_reaches_the_logs(
    chat, code_for, stack, uow
):
    chat("voglio registrarmi")
    chat("azienda")
    chat("Verdi Energia S.r.l.")
    assert "tuo Codice Fiscale" in said(chat("01114601006"))
    chat("VRDLCU80A01H501G")
    chat("info@verdienergia.it")
    chat("333 765 4321")
    with uow() as work:  # FAQ 10: the representative's fiscal data and the company's
        account = work.accounts.first(email="info@verdienergia.it")
        assert (account.fiscal_code, account.representative_fiscal_code) == (
            "01114601006",
            "VRDLCU80A01H501G",
        )
    code = code_for("+393337654321")
    chat(code)
    logs = b"".join(path.read_bytes() for path in stack.workdir.glob("*.log"))
    assert code.encode() not in logs
