import pytest

from backend import accounts, credentials
from backend.entities import AccountStatus
from backend.errors import CodeRejected, Conflict, InvalidInput, NotAllowed, Throttled
from tests.support.registration import CF, EMAIL, PASSWORD, register

MOBILE = "+393331234567"
VAT = "01114601006"
SOLE_VERDE_REPRESENTATIVE = "VRDLGU80A01H501Q"


def register_company(uow, clock, representative: str, email: str = "info@soleverde.it") -> int:
    """Sole Verde S.r.l., registered by one of its legal representatives."""
    return register(
        uow,
        clock,
        fiscal_id=VAT,
        email=email,
        mobile="347 1234568",
        company_name="Sole Verde S.r.l.",
        representative_fiscal_code=representative,
    )


def register_giulia(uow, clock, mobile: str = "333 1234567") -> int:
    """A second customer, e.g. to hold an address or share a mobile."""
    return register(
        uow,
        clock,
        fiscal_id="BNCGLI90A41H501E",
        email="giulia@gmail.com",
        mobile=mobile,
        first_name="Giulia",
        last_name="Bianchi",
    )


def test_registration_walks_through_every_step(uow):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF.lower(),
        email=EMAIL.upper(),
        mobile="+39 333-123-4567",
        first_name="Mario",
        last_name="Rossi",
    )
    account = uow.accounts.get(account_id)
    assert (account.email, account.mobile, account.status) == (EMAIL, MOBILE, "mobile_pending")
    sms = uow.messages_to(MOBILE)
    assert [m.channel for m in sms] == ["sms"]
    assert accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE)) == "email_pending"
    mail = uow.messages_to(EMAIL)[-1]
    assert mail.subject == "Conferma la tua registrazione" and "Mario Rossi" in mail.body
    assert accounts.verify_email(uow, account_id, uow.last_code(EMAIL)) == "clauses_pending"
    assert accounts.accept_clauses(uow, account_id) == "password_pending"
    assert accounts.set_password(uow, account_id, PASSWORD) == AccountStatus.ACTIVE
    account = uow.accounts.get(account_id)
    assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
    assert accounts.login(uow, EMAIL, PASSWORD) == account_id


def test_steps_cannot_be_skipped(uow):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    with pytest.raises(NotAllowed, match="verificare il numero di cellulare"):
        accounts.accept_clauses(uow, account_id)
    with pytest.raises(NotAllowed, match="verificare il numero di cellulare"):
        accounts.set_password(uow, account_id, PASSWORD)
    with pytest.raises(NotAllowed, match="verificare il numero di cellulare"):
        accounts.verify_email(uow, account_id, "123456")


def test_an_sms_code_does_not_confirm_the_email(uow):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    sms_code = uow.last_code(MOBILE)
    accounts.verify_mobile(uow, account_id, sms_code)
    if sms_code != uow.last_code(EMAIL):
        with pytest.raises(CodeRejected):
            accounts.verify_email(uow, account_id, sms_code)


def test_a_company_registers_with_its_vat_number_and_its_representative_s_code(uow, clock):
    account_id = register_company(uow, clock, SOLE_VERDE_REPRESENTATIVE.lower())
    account = uow.accounts.get(account_id)
    assert (account.kind, account.display_name) == ("company", "Sole Verde S.r.l.")
    assert account.representative_fiscal_code == SOLE_VERDE_REPRESENTATIVE


def test_a_new_representative_registers_the_company_again_with_their_own_code(uow, clock):
    """FAQ 10: «effettuare una nuova registrazione ... indicando i tuoi dati fiscali e quelli
    della società che rappresenti»: the same company, another representative."""
    old = register_company(uow, clock, SOLE_VERDE_REPRESENTATIVE)
    new = register_company(uow, clock, CF, email="nuovo.legale@gmail.com")
    assert old != new and {a.fiscal_code for a in uow.accounts.find()} == {VAT}
    with pytest.raises(Conflict, match="Esiste già"):  # the same representative twice
        accounts.start_registration(
            uow,
            client="cliente-1",
            fiscal_id=VAT,
            email="altro@gmail.com",
            mobile=MOBILE,
            company_name="Sole Verde S.r.l.",
            representative_fiscal_code=CF,
        )


@pytest.mark.parametrize(
    ("representative", "message"),
    [("", "rappresentante legale"), ("RSSMRA85T10A562X", "Codice Fiscale non è valido")],
)
def test_a_company_without_a_valid_representative_code_is_refused(uow, representative, message):
    with pytest.raises(InvalidInput, match=message):
        accounts.start_registration(
            uow,
            client="cliente-1",
            fiscal_id=VAT,
            email="info@soleverde.it",
            mobile=MOBILE,
            company_name="Sole Verde S.r.l.",
            representative_fiscal_code=representative,
        )
    assert uow.accounts.find() == []


def test_choosing_the_first_password_does_not_start_the_once_a_day_rule(uow, clock):
    """FAQ 6: the password may be *changed* once every 24 hours; choosing it at registration
    is no change, so who forgets it the same day can reset it."""
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE))
    accounts.verify_email(uow, account_id, uow.last_code(EMAIL))
    accounts.accept_clauses(uow, account_id)
    accounts.set_password(uow, account_id, PASSWORD)
    assert uow.accounts.get(account_id).password_changed_at is None
    clock.advance(minutes=5)
    credentials.request_password_reset(uow, EMAIL)
    credentials.verify_password_reset_code(uow, EMAIL, uow.last_code(EMAIL), "chat-1")
    credentials.reset_password_with_grant(uow, EMAIL, "chat-1", "Nuova#Password2")
    assert uow.accounts.get(account_id).password_changed_at == clock()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "mario@pec.it", "PEC"),
        ("mobile", "06 1234567", "cellulare"),
        ("fiscal_id", "RSSMRA85T10A562X", "Codice Fiscale"),
    ],
)
def test_bad_registration_data_is_refused_before_anything_is_written(uow, field, value, message):
    data = {"fiscal_id": CF, "email": EMAIL, "mobile": MOBILE} | {field: value}
    with pytest.raises(InvalidInput, match=message):
        accounts.start_registration(
            uow, client="cliente-1", first_name="Mario", last_name="Rossi", **data
        )
    assert uow.accounts.find() == [] and uow.outbox.find() == []


def test_email_and_fiscal_code_are_unique_among_active_accounts(uow, clock):
    register(uow, clock)
    with pytest.raises(Conflict, match="Esiste già"):
        accounts.start_registration(
            uow,
            client="cliente-1",
            fiscal_id=CF,
            email="other@gmail.com",
            mobile=MOBILE,
            first_name="Mario",
            last_name="Rossi",
        )
    with pytest.raises(Conflict, match="Esiste già"):
        accounts.start_registration(
            uow,
            client="cliente-1",
            fiscal_id="BNCGLI90A41H501E",
            email=EMAIL,
            mobile=MOBILE,
            first_name="Giulia",
            last_name="Bianchi",
        )


def test_an_abandoned_registration_can_be_started_again(uow):
    first = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email="typo@gmial.com",
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    second = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    assert uow.accounts.get(first) is None
    assert uow.accounts.get(second).email == EMAIL


def test_resend_sends_a_code_for_the_current_step(uow, clock):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    clock.advance(seconds=60)
    accounts.resend_registration_code(uow, account_id, client="cliente-1")
    assert len(uow.messages_to(MOBILE)) == 2
    accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE))
    clock.advance(seconds=60)
    accounts.resend_registration_code(uow, account_id, client="cliente-1")
    assert len(uow.messages_to(EMAIL)) == 2
    accounts.verify_email(uow, account_id, uow.last_code(EMAIL))
    with pytest.raises(NotAllowed, match="non serve un codice"):
        accounts.resend_registration_code(uow, account_id, client="cliente-1")


def test_a_weak_password_is_refused_naming_what_is_missing(uow):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )
    with pytest.raises(InvalidInput, match="maiuscolo.*numero.*speciale"):
        accounts.set_password(uow, account_id, "password")
    assert uow.accounts.get(account_id).password_hash is None


def test_login_fails_alike_for_wrong_password_and_unknown_user(uow, clock):
    register(uow, clock)
    with pytest.raises(InvalidInput) as wrong_password:
        accounts.login(uow, EMAIL, "Wrong#123")
    with pytest.raises(InvalidInput) as unknown:
        accounts.login(uow, "nobody@gmail.com", PASSWORD)
    assert wrong_password.value.message_it == unknown.value.message_it
    assert [e.event for e in uow.audit.find()][-2:] == ["login_failed", "login_failed"]


def test_repeated_login_failures_lock_the_account_for_a_while(uow, clock):
    register(uow, clock)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            accounts.login(uow, EMAIL, "Wrong#123")
    with pytest.raises(Throttled, match="riprova tra 15 minuti"):
        accounts.login(uow, EMAIL, PASSWORD)
    clock.advance(minutes=15)
    assert accounts.login(uow, EMAIL, PASSWORD)


def test_a_successful_login_clears_the_failure_count(uow, clock):
    register(uow, clock)
    for _ in range(4):
        with pytest.raises(InvalidInput):
            accounts.login(uow, EMAIL, "Wrong#123")
    accounts.login(uow, EMAIL, PASSWORD)
    with pytest.raises(InvalidInput):
        accounts.login(uow, EMAIL, "Wrong#123")
    assert accounts.login(uow, EMAIL, PASSWORD)


def test_delete_account_needs_the_password(uow, clock):
    account_id = register(uow, clock)
    with pytest.raises(InvalidInput, match="non è stato eliminato"):
        accounts.delete_account(uow, account_id, "Wrong#123")
    accounts.delete_account(uow, account_id, PASSWORD)
    assert uow.accounts.get(account_id) is None
    assert [m.subject for m in uow.messages_to(EMAIL)] == ["Profilo eliminato"]
    assert uow.messages_to(MOBILE) == []
    deleted = uow.audit.find(event="account_deleted")[0]
    assert deleted.account_id == account_id and EMAIL not in repr(deleted.details)


def test_get_account_of_a_missing_id_is_an_italian_error(uow):
    with pytest.raises(accounts.NotFound, match="Utenza non trovata"):
        accounts.get_account(uow, 42)


def test_delete_account_keeps_messages_of_a_shared_mobile(uow, clock):
    mario = register(uow, clock)
    register_giulia(uow, clock)  # same family mobile
    accounts.delete_account(uow, mario, PASSWORD)
    assert len(uow.messages_to(MOBILE)) == 2  # both registrations' SMS codes stay


def start_mario(uow) -> int:
    return accounts.start_registration(
        uow,
        client="chat",
        fiscal_id=CF,
        email="mario@gmial.com",
        mobile=MOBILE,
        first_name="Mario",
        last_name="Rossi",
    )


def test_a_corrected_email_voids_its_code_and_the_new_address_gets_one(uow):
    account_id = start_mario(uow)
    accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE))
    old_code = uow.last_code("mario@gmial.com")
    status = accounts.correct_registration_contact(uow, account_id, client="chat", email=EMAIL)
    assert status == AccountStatus.EMAIL_PENDING
    assert uow.accounts.get(account_id).email == EMAIL
    with pytest.raises(CodeRejected):
        accounts.verify_email(uow, account_id, old_code)
    assert accounts.verify_email(uow, account_id, uow.last_code(EMAIL)) == "clauses_pending"


def test_an_email_corrected_before_the_sms_code_waits_for_it(uow):
    account_id = start_mario(uow)
    status = accounts.correct_registration_contact(uow, account_id, client="chat", email=EMAIL)
    assert status == AccountStatus.MOBILE_PENDING and uow.messages_to(EMAIL) == []
    accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE))
    assert len(uow.messages_to(EMAIL)) == 1


def test_a_corrected_mobile_is_verified_again_with_a_new_code(uow):
    account_id = start_mario(uow)
    old_code = uow.last_code(MOBILE)
    accounts.correct_registration_contact(uow, account_id, client="chat", mobile="347 765 4321")
    with pytest.raises(CodeRejected):
        accounts.verify_mobile(uow, account_id, old_code)
    new_code = uow.last_code("+393477654321")
    assert accounts.verify_mobile(uow, account_id, new_code) == "email_pending"


def test_a_refused_correction_changes_nothing(uow):
    account_id = start_mario(uow)
    sent = len(uow.outbox.find())
    with pytest.raises(InvalidInput, match="PEC"):
        accounts.correct_registration_contact(
            uow, account_id, client="chat", email="mario@legalmail.it"
        )
    account = uow.accounts.get(account_id)
    assert account.email == "mario@gmial.com" and len(uow.outbox.find()) == sent
    assert accounts.verify_mobile(uow, account_id, uow.last_code(MOBILE)) == "email_pending"
