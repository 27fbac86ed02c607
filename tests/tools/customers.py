"""Registered customers written straight into a stack's database, for tests over a channel."""

import uuid
from dataclasses import dataclass

from backend.accounts import add_account
from backend.bootstrap import unit_of_work
from backend.models import AccountStatus
from backend.passwords import hash_password
from backend.settings import Settings
from backend.validators import validate_holder
from tests.unit.backend.backend_fakes import make_fiscal_code

PASSWORD = "Sportello#2024"


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
    tag = uuid.uuid4().hex[:6]
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in tag)
    fiscal_code = make_fiscal_code(f"{letters}85M41F205")
    email, mobile = f"cliente.{tag}@example.it", f"+39347{int(tag, 16) % 10**7:07d}"
    work = unit_of_work(Settings(database_url=database_url))
    with work:
        holder = validate_holder(fiscal_code, first_name=first_name, last_name="Test")
        now = work.now()
        account = add_account(
            work,
            holder,
            email,
            mobile,
            status=AccountStatus.ACTIVE,
            mobile_verified_at=now,
            email_verified_at=now,
            clauses_accepted_at=now,
            password_hash=hash_password(work.settings, PASSWORD),
        )
        work.commit()
        return Customer(account.id, email, fiscal_code, mobile)
