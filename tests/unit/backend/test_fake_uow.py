"""The fake unit of work keeps transactions as the database does, so unit tests catch a
service that forgets to commit."""

import inspect

import pytest
from backend_fakes import FakeRepository, add_active_account

from backend import accounts
from backend.entities import AccountStatus, Pod
from backend.uow import Repository, SqlRepository

EMAIL = "mario.rossi@gmail.com"
CF = "RSSMRA85T10A562S"


def test_what_a_block_did_not_commit_is_gone(uow):
    kept = add_active_account(uow, EMAIL, CF)
    removed = add_active_account(uow, "giulia@gmail.com", "BNCGLI90A41H501E")
    with uow:
        uow.accounts.get(kept).email = "changed@gmail.com"
        uow.accounts.delete(uow.accounts.get(removed))
        uow.pods.add(Pod(code="IT001E12345678", owner_fiscal_code=CF, customer_type="producer"))
    assert uow.accounts.get(kept).email == EMAIL
    assert uow.accounts.get(removed) is not None
    assert uow.pods.get("IT001E12345678") is None


def test_what_a_block_committed_stays_even_if_it_fails_later(uow):
    account_id = add_active_account(uow, EMAIL, CF)
    with pytest.raises(RuntimeError), uow:
        uow.accounts.get(account_id).failed_logins = 1
        uow.commit()
        uow.accounts.get(account_id).failed_logins = 2
        raise RuntimeError
    assert uow.accounts.get(account_id).failed_logins == 1


def test_a_service_that_forgets_to_commit_changes_nothing(uow, monkeypatch):
    account_id = accounts.start_registration(
        uow,
        client="cliente-1",
        fiscal_id=CF,
        email=EMAIL,
        mobile="+393331234567",
        first_name="M",
        last_name="R",
    )
    accounts.verify_mobile(uow, account_id, uow.last_code("+393331234567"))
    accounts.verify_email(uow, account_id, uow.last_code(EMAIL))
    monkeypatch.setattr(uow, "commit", lambda: None)  # as if the service had no commit()
    assert accounts.accept_clauses(uow, account_id) == AccountStatus.PASSWORD_PENDING
    stored = uow.accounts.get(account_id)
    assert (stored.status, stored.clauses_accepted_at) == (AccountStatus.CLAUSES_PENDING, None)


def test_objects_handed_out_keep_their_values_like_detached_rows(uow):
    account_id = add_active_account(uow, EMAIL, CF)
    with uow:
        handed_out = uow.accounts.get(account_id)
        handed_out.failed_logins = 3
    assert handed_out.failed_logins == 3
    assert uow.accounts.get(account_id).failed_logins == 0


def test_a_block_inside_another_is_refused(uow):
    with uow, pytest.raises(AssertionError, match="inside another"), uow:
        pass


@pytest.mark.parametrize("implementation", [FakeRepository, SqlRepository])
def test_repositories_have_the_protocol_methods(implementation):
    for name, method in inspect.getmembers(Repository, inspect.isfunction):
        if not name.startswith("_"):
            expected = inspect.signature(method).parameters.keys()
            assert inspect.signature(getattr(implementation, name)).parameters.keys() == expected
