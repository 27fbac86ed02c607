"""Login, password reset and username recovery over REST with the real servers."""

from datetime import timedelta

import pytest

from backend.clock import utcnow
from backend.entities import CodePurpose
from backend.passwords import verify_password
from tests.support.chat import Chat, said
from tests.support.customers import add_company, new_identity

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Nuova#Password2"


class Conversation(Chat):
    """A conversation whose clock of the codes sent the test can turn back."""

    def rewind(self, slot: str, minutes: int) -> None:
        """Moves the conversation's record of when it asked for a code back in time."""
        when = (utcnow() - timedelta(minutes=minutes)).isoformat()
        url = f"{self.rasa_url}/conversations/{self.sender}/tracker/events"
        event = {"event": "slot", "name": slot, "value": when}
        self.client.post(url, json=[event], timeout=30).raise_for_status()


@pytest.fixture
def conversation(open_chat):
    return open_chat(Conversation)


@pytest.fixture
def other_chat(open_chat):
    """A second conversation, e.g. to compare what two users are told."""
    return open_chat(Conversation)


def shown(replies: list[dict]) -> list[dict]:
    """The replies without the recipient, which differs between two conversations."""
    return [{k: v for k, v in reply.items() if k != "recipient_id"} for reply in replies]


def buttons(replies: list[dict]) -> list[str]:
    return [b["title"] for reply in replies for b in reply.get("buttons", [])]


def password_hash(uow, account_id: int) -> str:
    with uow() as work:
        return work.accounts.get(account_id).password_hash


def reset_code_row(work, account_id: int):
    """The latest password-reset code of an account (not a grant left by a verified one)."""
    return work.codes.find(account_id=account_id, purpose=CodePurpose.PASSWORD_RESET, ref="")[-1]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def start_reset(chat, email: str) -> None:
    reply = chat("ho dimenticato la password")
    assert "Vuoi reimpostare la password qui in chat?" in said(reply)
    assert "Reimposta la password qui in chat" in buttons(reply)
    assert "e-mail" in said(chat("sì"))
    assert "Se l'e-mail è registrata" in said(chat(email))


# --- login: the portal's password only ----------------------------------------------------


def test_asking_for_a_code_at_login_sends_nothing_and_the_password_logs_in(
    chat, customer, uow, stack
):
    chat("voglio accedere")
    chat(customer.email)
    reply = said(chat("non ricordo la password, mandami un codice"))
    assert "non c'è un accesso con un codice" in reply and "Ora scrivi la password" in reply
    with uow() as work:
        assert work.outbox.find(recipient=customer.mobile) == []
    assert "Accesso effettuato" in said(chat(customer.password))


def test_a_password_typed_after_the_login_gave_up_or_in_a_sentence_is_never_stored(
    chat, customer, stack
):
    chat("voglio accedere")
    chat(customer.email)
    for attempt in range(1, 4):
        reply = said(chat(f"Tentativo#{attempt}x"))
    assert "Non riesco a completare l'operazione qui in chat" in reply
    once_more, introduced = "Ultimo.Tentativo4", "Sole#2024"
    chat(once_more)  # sure of a typo, the customer types it once more
    chat(f"la mia password è {introduced} ma il sito non me la accetta")
    for secret in ("Tentativo#1x", "Tentativo#3x", once_more, introduced):
        assert not stack.tracker_holds(secret)
    assert stack.tracker_holds("ma il sito non me la accetta")  # the rest stays readable


# --- password reset ----------------------------------------------------------------------


def test_a_customer_resets_the_password_in_the_chat(chat, customer, code_for, uow, stack):
    before = password_hash(uow, customer.id)
    start_reset(chat, customer.email)
    code = code_for(customer.email)
    reply = said(chat(code))
    assert "Codice corretto" in reply and "un carattere maiuscolo" in reply
    assert "un carattere maiuscolo" in said(chat("nuovapassword1!"))
    assert password_hash(uow, customer.id) == before  # a refused password changes nothing
    assert "Password modificata" in said(chat(NEW_PASSWORD))
    after = password_hash(uow, customer.id)
    with uow() as work:
        assert after != before and verify_password(work.settings, after, NEW_PASSWORD)
    chat("voglio accedere")
    chat(customer.email)
    assert "Accesso effettuato" in said(chat(NEW_PASSWORD))
    for secret in (code, NEW_PASSWORD, "nuovapassword1!"):
        assert not stack.tracker_holds(secret)


def test_an_unknown_email_gets_the_same_replies(chat, other_chat, customer, code_for):
    known, unknown = [], []
    for talk, email, replies in (
        (chat, customer.email, known),
        (other_chat, "nessuno.mai@example.it", unknown),
    ):
        replies.append(shown(talk("reimposta la mia password qui in chat")))
        replies.append(shown(talk(email)))
        replies.append(shown(talk(wrong(code_for(customer.email)))))
        replies.append(shown(talk("non mi è arrivato")))
    assert known == unknown
    assert "Ti restano 4 tentativi" in said(known[2])
    assert "attendi 60 secondi" in said(known[3])


def test_an_expired_code_offers_a_new_one(conversation, customer, code_for, uow):
    chat = conversation
    start_reset(chat, customer.email)
    old = code_for(customer.email)
    with uow() as work:  # as if the code had been sent 31 minutes ago
        row = reset_code_row(work, customer.id)
        row.created_at -= timedelta(minutes=31)
        row.expires_at -= timedelta(minutes=31)
        work.commit()
    chat.rewind("recupero_password_inviato", minutes=31)
    reply = chat(old)
    assert "scaduto" in said(reply) and "Inviami un nuovo codice" in buttons(reply)
    assert "Se l'e-mail è registrata" in said(chat("inviami un nuovo codice"))
    new = code_for(customer.email)
    assert new != old
    assert "Codice corretto" in said(chat(new))


def test_five_wrong_codes_use_up_the_tries(chat, customer, code_for, uow):
    before = password_hash(uow, customer.id)
    start_reset(chat, customer.email)
    code = code_for(customer.email)
    for left in (4, 3, 2):
        assert f"Ti restano {left} tentativi" in said(chat(wrong(code)))
    assert "Ti restano 1 tentativo." in said(chat(wrong(code)))
    reply = chat(wrong(code))
    assert "Hai esaurito i tentativi" in said(reply)
    assert "Inviami un nuovo codice" in buttons(reply)
    assert "Hai esaurito i tentativi" in said(chat(code))  # even the right one, now
    with uow() as work:
        row = reset_code_row(work, customer.id)
        assert row.attempts == 5 and row.used_at is None
    assert password_hash(uow, customer.id) == before


def test_a_second_change_the_same_day_is_refused_with_the_reason(chat, customer, code_for, uow):
    start_reset(chat, customer.email)
    chat(code_for(customer.email))
    assert "Password modificata" in said(chat(NEW_PASSWORD))
    changed = password_hash(uow, customer.id)
    with uow() as work:  # past the one-minute resend limit, still the same day
        row = reset_code_row(work, customer.id)
        row.created_at -= timedelta(minutes=2)
        work.commit()
    chat("reimposta la mia password qui in chat")
    chat(customer.email)
    reply = said(chat(code_for(customer.email)))
    assert "solo una volta ogni 24 ore" in reply
    assert password_hash(uow, customer.id) == changed


# --- username recovery and change --------------------------------------------------------


def start_username(chat, customer) -> str:
    reply = chat("ho dimenticato la username")
    assert "Vuoi recuperare la username qui in chat?" in said(reply)
    assert "persona fisica" in said(chat("sì"))
    chat("persona fisica")
    return said(chat(f"il mio codice fiscale è {customer.fiscal_code}"))


def test_a_customer_changes_the_username_with_a_code_by_sms(chat, customer, code_for, uow):
    reply = start_username(chat, customer)
    assert "La username registrata con questi dati è c" in reply and "****" in reply
    assert f"termina con …{customer.mobile[-2:]}" in said(chat("no, non la uso più"))
    reply = said(chat(code_for(customer.mobile)))
    assert "Codice corretto" in reply and "nuova e-mail" in reply
    assert "PEC" in said(chat("nuova@pec.it"))
    new_email = f"nuova.{customer.email}"
    assert f"la tua nuova username è {new_email}" in said(chat(new_email))
    with uow() as work:
        assert work.accounts.get(customer.id).email == new_email
    chat("voglio accedere")
    chat(new_email)
    assert "Accesso effettuato" in said(chat(customer.password))


def test_fiscal_data_nobody_registered_are_told_plainly(chat, uow):
    """No invented masked e-mail, no SMS to invented digits: the truth and what to do."""
    nobody = new_identity()
    reply = start_username(chat, nobody)
    assert "Non risulta nessuna utenza registrata con questi dati" in reply
    assert "****" not in reply and "termina con" not in reply
    assert "803.500" in reply and "/portale/registrazione" in reply
    with uow() as work:
        assert work.outbox.find(recipient=nobody.mobile) == []


def test_a_company_finds_its_username_with_its_representative_s_code(chat, uow, stack):
    company = add_company(stack.database_url)
    chat("ho dimenticato la username")
    chat("sì")
    chat("azienda")
    assert "tuo Codice Fiscale" in said(chat(company.vat))
    reply = said(chat(company.representative))
    assert "La username registrata con questi dati è l****" in reply


def test_a_username_still_in_use_ends_with_the_login_button(chat, customer, uow):
    start_username(chat, customer)
    reply = chat("sì è ancora mia")
    assert "puoi accedere" in said(reply) and "Accedi" in buttons(reply)
    with uow() as work:
        assert work.accounts.get(customer.id).email == customer.email


def test_without_a_validated_mobile_the_username_cannot_change_here(chat, customer, uow):
    with uow() as work:
        work.accounts.get(customer.id).mobile_verified_at = None
        work.commit()
    start_username(chat, customer)
    reply = chat("no")
    assert "803.500" in said(reply) and "Richiamatemi" in buttons(reply)


def test_a_question_mid_flow_is_answered_and_the_flow_goes_on(chat, customer, code_for, uow):
    start_reset(chat, customer.email)
    reply = said(chat("ma quanto dura il codice che mi hai mandato?"))
    assert "30 minuti" in reply and "codice di 6 cifre" in reply
    assert "Codice corretto" in said(chat(code_for(customer.email)))
    assert "Ok, ho annullato" in said(chat("annulla"))
    with uow() as work:
        assert work.accounts.get(customer.id).password_changed_at is None
