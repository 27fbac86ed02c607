"""A few realistic demo records: users, PODs, practices and a delegation. Idempotent."""

from dataclasses import dataclass

from backend.accounts import add_active_account
from backend.entities import (
    Delegation,
    DelegationStatus,
    Pod,
    Practice,
    Supply,
)
from backend.validators import validate_holder

DEMO_PASSWORD = "Sportello#2024"

# (first name, last name, company, fiscal id, representative's fiscal code, e-mail, mobile)
_USERS = [
    ("Mario", "Rossi", "", "RSSMRA85T10A562S", "", "mario.rossi@example.it", "+393331234567"),
    (
        "Giulia",
        "Bianchi",
        "",
        "BNCGLI90A41H501E",
        "",
        "giulia.bianchi@example.it",
        "+393471234568",
    ),
    (
        "",
        "",
        "Sole Verde S.r.l.",
        "01114601006",
        "VRDLGU80A01H501Q",
        "amministrazione@soleverde.example.it",
        "+393201234569",
    ),
]
# (POD, owner fiscal id, customer type, address)
_PODS = [
    ("IT001E12345678", "RSSMRA85T10A562S", "residential", "Via Roma 1, Sansepolcro"),
    ("IT001E87654321", "BNCGLI90A41H501E", "residential", "Via Appia 20, Roma"),
    ("IT001E11223344", "01114601006", "producer", "Strada Provinciale 5, Viterbo"),
]
# (number, requester name, requester fiscal id, description)
_PRACTICES = [
    ("PC-2024-DEMO0001", "Sole Verde S.r.l.", "01114601006", "Impianto fotovoltaico 20 kW"),
    ("PC-2024-DEMO0002", "Sole Verde S.r.l.", "01114601006", "Ampliamento impianto 50 kW"),
]


@dataclass(frozen=True)
class DemoData:
    accounts: dict[str, int]
    pods: list[str]
    practices: list[str]
    delegation_id: int
    password: str = DEMO_PASSWORD


def load_demo_data(uow) -> DemoData:
    with uow:
        now = uow.now()
        accounts = {}
        for first, last, company, fiscal, representative, email, mobile in _USERS:
            account = uow.accounts.first(email=email)
            if account is None:
                holder = validate_holder(
                    fiscal,
                    first_name=first,
                    last_name=last,
                    company_name=company,
                    representative_fiscal_code=representative,
                )
                account = add_active_account(uow, holder, email, mobile, DEMO_PASSWORD)
            accounts[email] = account.id
        owners = {uow.accounts.get(i).fiscal_code: i for i in accounts.values()}
        for code, owner, kind, address in _PODS:
            if uow.pods.get(code) is None:
                uow.pods.add(
                    Pod(code=code, owner_fiscal_code=owner, customer_type=kind, address=address)
                )
                uow.supplies.add(Supply(account_id=owners[owner], pod_code=code, linked_at=now))
        company_id = accounts["amministrazione@soleverde.example.it"]
        for number, name, fiscal, description in _PRACTICES:
            if uow.practices.first(number=number) is None:
                uow.practices.add(
                    Practice(
                        number=number,
                        account_id=company_id,
                        requester_name=name,
                        requester_fiscal_code=fiscal,
                        description=description,
                        created_at=now,
                    )
                )
        delegator, delegate = (
            accounts["mario.rossi@example.it"],
            accounts["giulia.bianchi@example.it"],
        )
        delegation = uow.delegations.first(delegator_id=delegator, delegate_id=delegate)
        if delegation is None:
            delegation = uow.delegations.add(
                Delegation(
                    delegator_id=delegator,
                    delegate_id=delegate,
                    status=DelegationStatus.DRAFT,
                    duration_days=180,
                    clauses_accepted_at=now,
                    created_at=now,
                )
            )
            delegation.move_to(DelegationStatus.AWAITING_ACCEPTANCE, now)
            delegation.move_to(DelegationStatus.ACTIVE, now)
        uow.commit()
        return DemoData(accounts, [p[0] for p in _PODS], [p[0] for p in _PRACTICES], delegation.id)
