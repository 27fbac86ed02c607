"""Supplies: the link between a POD of the distributor's registry and an account.

A POD can be linked only by the account whose fiscal code owns it; the services offered
for each customer type are data (``backend/data/services.json``).
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from backend import acting
from backend.entities import Pod, Supply
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.validators import validate_pod

SERVICES_FILE = Path(__file__).resolve().parent / "data" / "services.json"


@cache
def _catalogue() -> dict:
    return json.loads(SERVICES_FILE.read_text(encoding="utf-8"))


def customer_types() -> dict[str, str]:
    return {key: t["label"] for key, t in _catalogue()["customer_types"].items()}


def services_for(customer_type: str) -> list[str]:
    """The Italian names of the online services for a customer type."""
    catalogue = _catalogue()
    kind = catalogue["customer_types"].get(customer_type)
    if kind is None:
        raise InvalidInput("Tipologia di cliente sconosciuta.")
    return [catalogue["services"][key] for key in kind["services"]]


@dataclass(frozen=True)
class SupplyView:
    pod: str
    customer_type: str
    address: str
    services: list[str]


def link_supply(uow, account_id: int, pod: str, actor_id: int | None = None) -> SupplyView:
    """Associate a POD with the account, if it belongs to the account's fiscal code; an
    ``actor_id`` other than the account's is a delegate acting for it (``backend.acting``)."""
    pod = validate_pod(pod)
    with uow:
        change = f"ha collegato il POD {pod}"
        acting.authorise(uow, actor_id, account_id, "pod_linked", change, pod=pod)
        account = uow.accounts.get(account_id)
        if account is None:
            raise NotFound("Utenza non trovata.")
        record = uow.pods.get(pod)
        # Same answer for "unknown" and "someone else's": a POD's owner is not disclosed.
        if record is None or record.owner_fiscal_code != account.fiscal_code:
            raise NotAllowed(
                "Il POD indicato non risulta associato al tuo Codice Fiscale o "
                "Partita IVA: controlla il codice in bolletta."
            )
        if uow.supplies.first(account_id=account_id, pod_code=pod) is not None:
            raise Conflict("Questo POD è già associato alla tua utenza.")
        uow.supplies.add(Supply(account_id=account_id, pod_code=pod, linked_at=uow.now()))
        uow.commit()
        return _view(record)


def list_supplies(uow, account_id: int, actor_id: int | None = None) -> list[SupplyView]:
    """The account's PODs, each with the services dedicated to it (``actor_id``: as in
    ``link_supply``)."""
    with uow:
        acting.authorise(uow, actor_id, account_id, "supplies_viewed")
        uow.commit()  # the audit row of a delegate's look
        return [_view(uow.pods.get(s.pod_code)) for s in uow.supplies.find(account_id=account_id)]


def _view(record: Pod) -> SupplyView:
    return SupplyView(
        record.code, record.customer_type, record.address, services_for(record.customer_type)
    )
