"""Customers nobody else has, written straight into a stack's database (tests over a
channel share one running stack, so each test makes its own)."""

import random
import uuid
from dataclasses import dataclass

from stdnum import luhn
from stdnum.it import codicefiscale

from backend.accounts import add_active_account
from backend.bootstrap import unit_of_work
from backend.settings import Settings
from backend.validators import Holder, validate_holder
from tests.support.portal_data import add_practice

PASSWORD = "Sportello#2024"


def make_fiscal_code(prefix: str) -> str:
    """A valid Codice Fiscale: the first 15 characters and their check letter."""
    return prefix + codicefiscale.calc_check_digit(prefix)


@dataclass(frozen=True)
class Identity:
    """A person's details no other test uses: e-mail, Codice Fiscale, Italian mobile."""

    email: str
    fiscal_code: str
    mobile: str


def new_identity(mailbox: str = "cliente") -> Identity:
    tag = uuid.uuid4().hex[:6]
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in tag)
    return Identity(
        email=f"{mailbox}.{tag}@example.it",
        fiscal_code=make_fiscal_code(f"{letters}85M41F205"),
        mobile=f"+39347{int(tag, 16) % 10**7:07d}",
    )


@dataclass(frozen=True)
class Customer:
    """A registered, active customer."""

    id: int
    email: str
    fiscal_code: str
    mobile: str
    password: str = PASSWORD


def add_customer(database_url: str, first_name: str = "Anna") -> Customer:
    """A new active customer (person) with a unique e-mail, Codice Fiscale and mobile."""
    person = new_identity()
    holder = validate_holder(person.fiscal_code, first_name=first_name, last_name="Test")
    account_id = _add_active_account(database_url, holder, person.email, person.mobile)
    return Customer(account_id, person.email, person.fiscal_code, person.mobile)


@dataclass(frozen=True)
class Company:
    """A company registered by its new representative (their Codice Fiscale); its practices
    are still on no account."""

    id: int
    email: str
    vat: str
    representative: str
    practice_numbers: list[str]
    password: str = PASSWORD


def add_company(database_url: str) -> Company:
    """A new active company account (unique P.IVA) with two photovoltaic practices to move."""
    digits = f"{random.randrange(10**6, 10**7):07d}001"  # 001: a valid province office
    vat, tag = digits + luhn.calc_check_digit(digits), uuid.uuid4().hex[:6]
    name, email = "Sole Verde S.r.l.", f"legale.{tag}@example.it"
    representative = new_identity().fiscal_code
    holder = validate_holder(vat, company_name=name, representative_fiscal_code=representative)
    account_id = _add_active_account(database_url, holder, email, "+393471234567")
    settings = Settings(database_url=database_url)
    numbers = [
        add_practice(unit_of_work(settings), None, name, vat, f"FV {kw} kW") for kw in (20, 50)
    ]
    return Company(account_id, email, vat, representative, numbers)


def _add_active_account(database_url: str, holder: Holder, email: str, mobile: str) -> int:
    work = unit_of_work(Settings(database_url=database_url))
    with work:
        account = add_active_account(work, holder, email, mobile, PASSWORD)
        work.commit()
        return account.id
