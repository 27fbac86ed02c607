"""The chat's two-step credential tasks on SQLite and PostgreSQL: codes, grants, rollbacks."""

import pytest
from sqlalchemy import select
from test_db_services import GIULIA, SOLE_VERDE, last_code

from backend import accounts, credentials
from backend.entities import CodePurpose, VerificationCode
from backend.errors import CodeRejected, Conflict
from backend.validators import validate_holder
from tests.support.registration import CF, EMAIL, PASSWORD, register

MOBILE = "+393331234567"


def test_a_company_has_one_account_per_legal_representative(database, uow_factory, clock):
    """FAQ 10 on the real schema (migration 0004): the new representative registers the
    company again; the database refuses a second account for the same pair."""
    old = register(uow_factory(), clock, **SOLE_VERDE)
    new = register(
        uow_factory(),
        clock,
        **{**SOLE_VERDE, "email": "nuovo@soleverde.it", "representative_fiscal_code": CF},
    )
    assert old != new
    holder = validate_holder(
        SOLE_VERDE["fiscal_id"],
        company_name="Sole Verde S.r.l.",
        representative_fiscal_code=CF,
    )
    with pytest.raises(Conflict), uow_factory() as work:
        accounts.add_account(work, holder, "terzo@soleverde.it", MOBILE, status="active")
    assert credentials.recover_username(uow_factory(), SOLE_VERDE["fiscal_id"], CF) == (
        "n****o@s****.it"
    )


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
    credentials.request_username_change(uow_factory(), CF, client="cliente-1")
    code = last_code(database, MOBILE)
    credentials.verify_username_change_code(uow_factory(), CF, "", code, "c1")
    with pytest.raises(Conflict):
        credentials.change_username_with_grant(uow_factory(), CF, "", "c1", GIULIA["email"])
    credentials.change_username_with_grant(uow_factory(), CF, "", "c1", "mario.nuovo@libero.it")
    assert accounts.login(uow_factory(), "mario.nuovo@libero.it", PASSWORD) == account_id
