"""Acting for someone (FAQ 13: the delegate uses «i servizi attivi a tuo nome»): a logged-in
delegate picks one of the people who gave them an active delega and uses the delegated
services for them: their supplies and services, linking a POD, the state of their practice
transfers and their «Comunicazioni Ricevute».

Each call runs the check inside the transaction that does the work, so a delega that expired,
was suspended or revoked a moment ago already stops the next action. Every action is audited
with both people; a change (a POD linked) is also e-mailed to the delegator, as the FAQ has
every change to a delega told to the delegator. Nothing else of the delegator's (password,
profile, delegations) is offered: the chat's other flows always work on the delegate's own
account.
"""

from dataclasses import dataclass

from backend import audit, outbox
from backend.delegations import require_acting_for
from backend.entities import DelegationStatus


@dataclass(frozen=True)
class Delegator:
    account_id: int
    name: str


def delegators(uow, delegate_id: int) -> list[Delegator]:
    """Who gave the delegate an active, unexpired delegation, one entry per person."""
    with uow:
        found: dict[int, str] = {}
        for delegation in uow.delegations.find(delegate_id=delegate_id):
            delegation.expire_if_due(uow.now())  # read only: never committed here
            if delegation.status == DelegationStatus.ACTIVE:
                found[delegation.delegator_id] = uow.accounts.get(
                    delegation.delegator_id
                ).display_name
        return [Delegator(account_id, name) for account_id, name in found.items()]


def start_acting(uow, actor_id: int, customer_id: int) -> str:
    """The delegate chose to act for the customer: checked, audited; the customer's name."""
    with uow:
        name = authorise(uow, actor_id, customer_id, "acting_started")
        uow.commit()
        return name


def check(uow, actor_id: int, customer_id: int) -> None:
    """``DelegationEnded`` unless the actor may still act for the customer."""
    with uow:
        require_acting_for(uow, actor_id, customer_id)


def authorise(
    uow, actor_id: int | None, customer_id: int, action: str, change: str = "", **details
) -> str:
    """Inside the caller's unit of work: may the actor do this for the customer? Raises
    ``DelegationEnded`` if not; records the action with both people and, for a ``change``
    (Italian, «ha collegato il POD …»), e-mails it to the delegator. No actor, or the
    customer themselves: nothing to check. Returns the customer's name."""
    customer = uow.accounts.get(customer_id)
    if actor_id is None or actor_id == customer_id:
        return customer.display_name if customer else ""
    delegation = require_acting_for(uow, actor_id, customer_id)
    actor = uow.accounts.get(actor_id)
    audit.record(
        uow,
        "acted_for",
        customer_id,
        delegate_id=actor_id,
        delegation_id=delegation.id,
        action=action,
        **details,
    )
    if change:
        outbox.send_email(
            uow,
            customer.email,
            "email_delegation_acted",
            name=customer.display_name,
            delegate=actor.display_name,
            change=change,
        )
    return customer.display_name
