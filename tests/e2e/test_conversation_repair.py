"""Conversation repair over REST with the real servers (actions/flow.py), in three flows:
registration, the Help OnLine callback and the username recovery. Digression then
continue, a question that is no wrong answer, a correction, a finished task, a cancel, and
an unexpected failure made by taking a table away from the backend."""

import pytest
import sqlalchemy

from tests.support.chat import said
from tests.support.customers import new_identity

pytestmark = pytest.mark.e2e

FISCAL_CODE_QUESTION = "Codice Fiscale"
CONTINUE_REGISTRATION = "Vuoi continuare con la registrazione?"


def buttons(replies: list[dict]) -> list[str]:
    return [button["title"] for reply in replies for button in reply.get("buttons", [])]


def start_registration(chat) -> None:
    chat("voglio registrarmi")
    chat("persona fisica")
    assert FISCAL_CODE_QUESTION in said(chat("Carla Neri"))


def test_one_question_is_answered_then_the_step_asked_again(chat):
    start_registration(chat)
    reply = said(chat("posso usare una pec per registrarmi?"))
    assert "PEC" in reply and FISCAL_CODE_QUESTION in reply
    assert CONTINUE_REGISTRATION not in reply


def test_a_second_question_in_a_row_asks_whether_to_go_on_and_yes_goes_back(chat):
    start_registration(chat)
    chat("che browser devo usare?")
    replies = chat("cos'è il pod?")
    reply = said(replies)
    assert "IT001E" in reply and reply.endswith(CONTINUE_REGISTRATION)
    assert "Il Codice Fiscale non è valido" not in reply
    assert buttons(replies)[-2:] == ["Sì, continuiamo", "No"]
    assert FISCAL_CODE_QUESTION in said(chat("sì"))


def test_no_ends_the_flow_saying_what_was_kept(chat, uow):
    start_registration(chat)
    chat("che browser devo usare?")
    chat("quanto dura il codice di verifica?")
    replies = chat("no")
    reply = said(replies)
    assert "Va bene, interrompo la registrazione" in reply and "ricominciarla" in reply
    assert "Posso aiutarti in altro?" in reply and "Collega una fornitura" in buttons(replies)
    assert "Ok, ho annullato" not in said(chat("annulla"))  # nothing left to cancel


def test_a_question_at_a_value_step_is_not_a_strike(chat):
    """Two wrong answers and a question in between: still two strikes, the flow goes on."""
    start_registration(chat)
    assert "non è valido" in said(chat("boh"))
    assert "non è valido" not in said(chat("dove trovo i servizi online del portale?"))
    reply = said(chat("non lo so"))
    assert "non è valido" in reply and "803.500" not in reply  # not the third strike


def test_a_corrected_email_gets_the_new_code_and_the_task_closes_with_next_steps(
    chat, code_for, uow
):
    person = new_identity()
    chat("voglio registrarmi")
    chat("persona fisica")
    chat("Carla Neri")
    chat(person.fiscal_code)
    chat(f"typo.{person.email}")
    chat(person.mobile)
    chat(code_for(person.mobile))
    old_code = code_for(f"typo.{person.email}")
    reply = said(chat(f"scusa ho sbagliato l'email, è {person.email}"))
    assert "Ho corretto l'e-mail" in reply and "non vale più" in reply
    new_code = code_for(person.email)
    assert new_code != old_code
    assert "non è corretto" in said(chat(old_code))
    assert "clausole legali" in said(chat(new_code))
    chat("accetto")
    replies = chat("Sportello#2024")
    reply = said(replies)
    assert "Registrazione completata" in reply and reply.endswith("Posso aiutarti in altro?")
    assert {"Collega una fornitura", "Attiva una delega"} <= set(buttons(replies))
    with uow() as work:
        assert work.accounts.first(email=person.email).status == "active"
        assert work.accounts.first(email=f"typo.{person.email}") is None


def test_the_callback_takes_a_corrected_number_and_ends_with_next_steps(chat, uow):
    chat("vorrei essere ricontattato")
    chat("non riesco a registrarmi")
    chat("Carla Neri")
    assert "assistente virtuale" in said(chat("ma sei un bot?"))  # a digression
    chat("06 1234 5678")
    assert "Ho corretto il numero da chiamare" in said(chat("anzi il numero giusto è 06 8765 4321"))
    replies = chat("domani mattina")
    assert "Posso aiutarti in altro?" in said(replies)
    with uow() as work:
        assert work.callbacks.find(phone="+390612345678") == []
        [ticket] = work.callbacks.find(phone="+390687654321")
        assert ticket.name == "Carla Neri"


def test_the_username_recovery_takes_a_company_after_a_question_and_cancels(chat):
    chat("voglio recuperare la username qui in chat")
    chat("persona fisica")
    assert "PEC" in said(chat("la pec si può usare?"))
    reply = said(chat("no aspetta, è un'azienda"))
    assert "Ho corretto il tipo di cliente" in reply and "Partita IVA" in reply
    assert "annullato" in said(chat("annulla"))


def test_a_finished_login_offers_what_comes_next(chat, customer):
    chat("voglio accedere")
    chat(customer.email)
    replies = chat(customer.password)
    assert said(replies).endswith("Posso aiutarti in altro?")
    assert buttons(replies) == ["Le mie forniture", "Le mie deleghe", "Collega una fornitura"]


def test_a_backend_failure_apologises_ends_the_flow_and_logs_no_text(chat, uow, stack):
    chat("vorrei essere ricontattato")
    chat("problema con la delega")
    chat("Carla Neri")
    chat("06 1234 5678")
    engine = sqlalchemy.create_engine(stack.database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("ALTER TABLE callback_requests RENAME TO away"))
        replies = chat("sabato mattina presto")
    finally:
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("ALTER TABLE away RENAME TO callback_requests"))
        engine.dispose()
    reply = said(replies)
    assert "Mi dispiace, qualcosa non ha funzionato" in reply and "803.500" in reply
    assert "Richiamatemi" in buttons(replies)
    assert "Per quale motivo vuoi la chiamata" in said(chat("vorrei essere ricontattato"))
    log = (stack.workdir / "actions.log").read_text()
    assert "validate_richiamata_form failed" in log and "sabato mattina presto" not in log
