"""A customer registered through the backend's services, on a fake or a real unit of work."""

from backend import accounts
from tests.support.customers import new_identity
from tests.support.portal_data import last_code

CF = "RSSMRA85T10A562S"
EMAIL = "mario.rossi@gmail.com"
PASSWORD = "Sportello#1"


def register(uow, clock, fiscal_id=CF, email=EMAIL, mobile="333 1234567", **names) -> int:
    """Every registration step with the codes from the outbox; then a day passes, so that the
    limits on the new account's codes do not get in the way. Returns the account id."""
    names = names or {"first_name": "Mario", "last_name": "Rossi"}
    account_id = accounts.start_registration(
        uow, client="cliente-1", fiscal_id=fiscal_id, email=email, mobile=mobile, **names
    )
    account = accounts.get_account(uow, account_id)
    accounts.verify_mobile(uow, account_id, last_code(uow, account.mobile))
    accounts.verify_email(uow, account_id, last_code(uow, account.email))
    accounts.accept_clauses(uow, account_id)
    accounts.set_password(uow, account_id, PASSWORD)
    clock.advance(days=1)
    return account_id


def start_new_person(uow, client: str = "indirizzo:203.0.113.7", mobile: str = "") -> int:
    """A person nobody registered starts a registration (its SMS opens a flow of ``client``)."""
    person = new_identity()
    return accounts.start_registration(
        uow,
        fiscal_id=person.fiscal_code,
        email=person.email,
        mobile=mobile or person.mobile,
        first_name="Anna",
        last_name="Test",
        client=client,
    )
