import pytest

from backend import codes
from backend.entities import CodePurpose
from backend.errors import CodeRejected, Throttled

ACCOUNT = 7


def test_a_code_is_six_digits_stored_only_as_a_hash(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    stored = uow.codes.find()[0]
    assert len(code) == 6 and code.isdigit()
    assert code not in stored.code_hash and len(stored.code_hash) == 64


def test_a_code_verifies_once(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, f" {code} ")
    with pytest.raises(CodeRejected, match="già stato usato"):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)


def test_a_code_expires_after_the_configured_minutes(uow, clock):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(minutes=30)
    with pytest.raises(CodeRejected, match="scaduto"):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)


def test_a_code_is_still_good_just_before_expiry(uow, clock):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(minutes=29, seconds=59)
    codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)


def test_a_code_is_bound_to_its_purpose_and_account(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.REGISTRATION_EMAIL)
    codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    with pytest.raises(CodeRejected, match="non è corretto"):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)
    with pytest.raises(CodeRejected, match="nessun codice"):
        codes.verify(uow, ACCOUNT + 1, CodePurpose.REGISTRATION_EMAIL, code)


def test_five_wrong_tries_burn_the_code_and_each_is_committed(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for tries in range(1, 6):
        with pytest.raises(CodeRejected, match="non è corretto") as rejected:
            codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, wrong)
        assert uow.codes.find()[0].attempts == tries
        assert rejected.value.attempts_left == 5 - tries
    assert uow.commits == 5
    assert [e.event for e in uow.audit.find()] == ["code_failed"] * 5
    with pytest.raises(CodeRejected, match="superato il numero di tentativi"):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)


def test_the_audit_of_a_failure_holds_no_code(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    with pytest.raises(CodeRejected):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, f"{(int(code) + 1) % 10**6:06d}")
    assert code not in repr(uow.audit.find()[0].details)


def test_only_the_latest_code_counts(uow, clock):
    first = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(seconds=60)
    second = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    if first != second:
        with pytest.raises(CodeRejected):
            codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, first)
    codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, second)


def test_resends_are_60_seconds_apart(uow, clock):
    codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(seconds=59)
    with pytest.raises(Throttled, match="attendi 60 secondi"):
        codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(seconds=1)
    codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)


def test_at_most_five_codes_an_hour(uow, clock):
    for _ in range(5):
        codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
        clock.advance(minutes=10)
    with pytest.raises(Throttled, match="troppi codici"):
        codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    clock.advance(minutes=10, seconds=1)  # the first one is now more than an hour old
    codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)


def test_a_lost_race_is_refused(uow):
    code = codes.issue(uow, ACCOUNT, CodePurpose.PASSWORD_RESET)
    uow.codes.consume = lambda row, now: False  # another request consumed it meanwhile
    with pytest.raises(CodeRejected, match="già stato usato"):
        codes.verify(uow, ACCOUNT, CodePurpose.PASSWORD_RESET, code)


def test_a_voided_code_no_longer_verifies_nor_holds_back_the_next(uow):
    first = codes.issue(uow, ACCOUNT, CodePurpose.REGISTRATION_EMAIL)
    codes.void(uow, ACCOUNT, CodePurpose.REGISTRATION_EMAIL)
    with pytest.raises(CodeRejected, match="scaduto"):
        codes.verify(uow, ACCOUNT, CodePurpose.REGISTRATION_EMAIL, first)
    codes.issue(uow, ACCOUNT, CodePurpose.REGISTRATION_EMAIL)  # no «attendi 60 secondi»
