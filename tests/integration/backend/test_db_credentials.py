"""The chat's two-step credential tasks on SQLite and PostgreSQL: codes, grants, rollbacks."""

import pytest
from sqlalchemy import select
from test_db_services import GIULIA, last_code

from backend import accounts, credentials
from backend.errors import CodeRejected, Conflict
from backend.models import CodePurpose, VerificationCode
from tests.support.registration import CF, EMAIL, PASSWORD, register

MOBILE = "+393331234567"


def test_login_by_sms_code(database, uow_factory, clock):
    account_id = register(uow_factory(), clock)
    accounts.request_login_code(uow_factory(), EMAIL)
    code = last_code(database, MOBILE)
    assert accounts.login_with_code(uow_factory(), EMAIL, code) == account_id
    with pytest.raises(CodeRejected, match="non è più valido"):
        accounts.login_with_code(uow_factory(), EMAIL, code)


def test_reset_code_then_password_leaves_no_usable_grant(database, uow_factory, clock):
    register(uow_factory(), clock)
    credentials.request_password_reset(uow_factory(), EMAIL)
    credentials.verify_password_reset_code(uow_factory(), EMAIL, last_code(database, EMAIL), "c1")
    credentials.reset_password_with_grant(uow_factory(), EMAIL, "c1", "Nuova#Pass2")
    assert accounts.login(uow_factory(), EMAIL, "Nuova#Pass2")
    with pytest.raises(CodeRejected, match="troppo tempo"):
        credentials.reset_password_with_grant(uow_factory(), EMAIL, "c1", "Altra#Pass3")
    with database.session_factory() as session:
        rows = session.scalars(
            select(VerificationCode).where(VerificationCode.purpose == CodePurpose.PASSWORD_RESET)
        ).all()
    assert [(r.ref, r.used_at is not None) for r in rows] == [("", True), ("grant", True)]


def test_a_username_in_use_keeps_the_grant(database, uow_factory, clock):
    account_id = register(uow_factory(), clock)
    register(uow_factory(), clock, **GIULIA)
    credentials.request_username_change(uow_factory(), CF)
    credentials.verify_username_change_code(uow_factory(), CF, last_code(database, MOBILE), "c1")
    with pytest.raises(Conflict):
        credentials.change_username_with_grant(uow_factory(), CF, "c1", GIULIA["email"])
    credentials.change_username_with_grant(uow_factory(), CF, "c1", "mario.nuovo@libero.it")
    assert accounts.login(uow_factory(), "mario.nuovo@libero.it", PASSWORD) == account_id
