"""Delegations (deleghe): a registered customer lets another registered customer act for
them. Every state change is e-mailed to the delegator; the delegate, told by e-mail,
accepts or declines once logged in with their password («le mie deleghe» in the chat).
"""

from backend import audit, documents, outbox
from backend.entities import (
    DELEGATION_STATUS_IT,
    AccountStatus,
    Delegation,
    DelegationStatus,
)
from backend.errors import DelegationEnded, InvalidInput, NotAllowed, NotFound
from backend.validators import validate_email

MAX_DURATION_DAYS = 365


def validate_duration(days: int) -> int:
    if not 1 <= days <= MAX_DURATION_DAYS:
        raise InvalidInput("La durata della delega va da 1 giorno a un massimo di un anno.")
    return days


def _owned(uow, delegator_id: int, delegation_id: int) -> Delegation:
    delegation = uow.delegations.get(delegation_id)
    if delegation is None or delegation.delegator_id != delegator_id:
        raise NotFound("Delega non trovata.")
    return delegation


def _email_party(
    uow, delegation: Delegation, template: str, *, to_delegate: bool = False, **values
) -> None:
    """E-mail the delegator or the delegate; the template may name either party."""
    delegator = uow.accounts.get(delegation.delegator_id)
    delegate = uow.accounts.get(delegation.delegate_id)
    to = delegate if to_delegate else delegator
    outbox.send_email(
        uow,
        to.email,
        template,
        name=to.display_name,
        delegator=delegator.display_name,
        delegate=delegate.display_name,
        **values,
    )


def _notify_delegator(uow, delegation: Delegation, event: str) -> None:
    status = DELEGATION_STATUS_IT[DelegationStatus(delegation.status)]
    _email_party(uow, delegation, "email_delegation_status", status=status)
    audit.record(
        uow,
        event,
        delegation.delegator_id,
        delegation_id=delegation.id,
        status=str(delegation.status),
    )


def _registered_delegate(uow, delegator_id: int, delegate_email: str):
    delegate = uow.accounts.first(email=validate_email(delegate_email))
    if delegate is None or delegate.status != AccountStatus.ACTIVE:
        raise NotFound(
            "Nessun utente registrato con questa e-mail: il delegato deve "
            "essere registrato al portale."
        )
    if delegate.id == delegator_id:
        raise InvalidInput("Non puoi indicare come delegato la tua stessa utenza.")
    return delegate


def check_delegate(uow, delegator_id: int, delegate_email: str) -> str:
    """The name of the registered customer the delegator wants to delegate."""
    with uow:
        return _registered_delegate(uow, delegator_id, delegate_email).display_name


def request_delegation(
    uow, delegator_id: int, delegate_email: str, duration_days: int, document_reference: str
) -> int:
    """The chat's request, all or nothing: the delegate is found by their registration e-mail,
    the identity document uploaded through a channel is claimed for it, and the delegate gets
    an e-mail saying how to accept: logged in, with their password, as the portal does (a
    code alone would let whoever reads the mailbox accept). The delegator accepted the
    clauses in the chat."""
    validate_duration(duration_days)
    with uow:
        delegate = _registered_delegate(uow, delegator_id, delegate_email)
        now = uow.now()
        delegation = uow.delegations.add(
            Delegation(
                delegator_id=delegator_id,
                delegate_id=delegate.id,
                status=DelegationStatus.DRAFT,
                duration_days=duration_days,
                clauses_accepted_at=now,
                created_at=now,
            )
        )
        audit.record(uow, "delegation_drafted", delegator_id, delegation_id=delegation.id)
        documents.claim_upload(uow, document_reference, delegator_id, delegation_id=delegation.id)
        delegation.move_to(DelegationStatus.AWAITING_ACCEPTANCE, now)
        _email_party(
            uow,
            delegation,
            "email_delegation_request",
            to_delegate=True,
            days=delegation.duration_days,
            number=delegation.id,
        )
        _notify_delegator(uow, delegation, "delegation_submitted")
        uow.commit()
        return delegation.id


def _awaiting_response(uow, delegate_id: int, delegation_id: int) -> Delegation:
    delegation = uow.delegations.get(delegation_id)
    if delegation is None or delegation.delegate_id != delegate_id:
        raise NotFound("Delega non trovata.")
    if delegation.status != DelegationStatus.AWAITING_ACCEPTANCE:
        raise NotAllowed("Questa delega non è in attesa di accettazione.")
    return delegation


def _respond(uow, delegation: Delegation, accept: bool) -> DelegationStatus:
    target = DelegationStatus.ACTIVE if accept else DelegationStatus.REVOKED
    delegation.move_to(target, uow.now())
    _notify_delegator(uow, delegation, "delegation_accepted" if accept else "delegation_declined")
    return target


def respond_logged_in(uow, delegate_id: int, delegation_id: int, accept: bool) -> DelegationStatus:
    """The delegate, logged in with their password (in the chat), accepts or declines."""
    with uow:
        target = _respond(uow, _awaiting_response(uow, delegate_id, delegation_id), accept)
        uow.commit()
        return target


def _change_status(uow, delegator_id: int, delegation_id: int, status: DelegationStatus) -> None:
    with uow:
        delegation = _owned(uow, delegator_id, delegation_id)
        delegation.move_to(status, uow.now())
        _notify_delegator(uow, delegation, f"delegation_{status}")
        uow.commit()


def suspend_delegation(uow, delegator_id: int, delegation_id: int) -> None:
    _change_status(uow, delegator_id, delegation_id, DelegationStatus.SUSPENDED)


def resume_delegation(uow, delegator_id: int, delegation_id: int) -> None:
    _change_status(uow, delegator_id, delegation_id, DelegationStatus.ACTIVE)


def revoke_delegation(uow, delegator_id: int, delegation_id: int) -> None:
    _change_status(uow, delegator_id, delegation_id, DelegationStatus.REVOKED)


def modify_delegation(uow, delegator_id: int, delegation_id: int, duration_days: int) -> None:
    """Change the duration (counted from activation), still at most one year."""
    validate_duration(duration_days)
    with uow:
        delegation = _owned(uow, delegator_id, delegation_id)
        delegation.expire_if_due(uow.now())
        if delegation.status in (DelegationStatus.REVOKED, DelegationStatus.EXPIRED):
            raise NotAllowed("Una delega revocata o scaduta non si può modificare.")
        delegation.change_duration(duration_days)
        if delegation.expires_at is not None and delegation.expires_at <= uow.now():
            raise InvalidInput("Con questa durata la delega risulterebbe già scaduta.")
        audit.record(
            uow,
            "delegation_modified",
            delegator_id,
            delegation_id=delegation.id,
            duration_days=duration_days,
        )
        _notify_delegator(uow, delegation, "delegation_modified")
        uow.commit()


def list_delegations(uow, account_id: int) -> list[Delegation]:
    """Delegations given and received, with expired ones shown as such."""
    with uow:
        found = uow.delegations.find(delegator_id=account_id)
        found += uow.delegations.find(delegate_id=account_id)
        for delegation in found:
            delegation.expire_if_due(uow.now())
        return sorted(found, key=lambda d: d.id)


def delegation_for(uow, account_id: int, delegation_id: int) -> Delegation:
    """One delegation the account gave or received, with expiry applied."""
    with uow:
        delegation = uow.delegations.get(delegation_id)
        if delegation is None or account_id not in (
            delegation.delegator_id,
            delegation.delegate_id,
        ):
            raise NotFound("Delega non trovata tra le tue deleghe.")
        delegation.expire_if_due(uow.now())
        return delegation


def party_names(uow, delegation: Delegation) -> tuple[str, str]:
    """The delegator's and the delegate's names, as the e-mails show them."""
    with uow:
        return (
            uow.accounts.get(delegation.delegator_id).display_name,
            uow.accounts.get(delegation.delegate_id).display_name,
        )


def expire_delegations(uow) -> int:
    """Store the expiry of delegations past their end date and tell both parties (the
    scheduler's ``delegation_expiry`` job). Idempotent: an expired delegation is not live."""
    with uow:
        expired = 0
        for status in (DelegationStatus.ACTIVE, DelegationStatus.SUSPENDED):
            for delegation in uow.delegations.find(status=status):
                if delegation.expire_if_due(uow.now()):
                    _notify_delegator(uow, delegation, "delegation_expired")
                    _email_party(uow, delegation, "email_delegation_expired", to_delegate=True)
                    expired += 1
        uow.commit()
        return expired


def active_delegation(uow, actor_id: int, customer_id: int) -> Delegation | None:
    """The active, unexpired delegation the customer gave the actor, read inside the caller's
    unit of work so that the check and the action it allows are one transaction."""
    now = uow.now()
    for delegation in uow.delegations.find(delegator_id=customer_id, delegate_id=actor_id):
        if delegation.status == DelegationStatus.ACTIVE and delegation.expires_at > now:
            return delegation
    return None


def require_acting_for(uow, actor_id: int, customer_id: int) -> Delegation:
    """The delegation that lets the actor act for the customer, or ``NotAllowed``."""
    delegation = active_delegation(uow, actor_id, customer_id)
    if delegation is None:
        raise DelegationEnded(
            "La delega non è più attiva: non posso più operare per conto di questa persona."
        )
    return delegation
