import re
from datetime import timedelta

import pytest
from backend_fakes import add_active_account

from backend import delegations, documents
from backend.documents import UploadNotValid
from backend.entities import DelegationStatus
from backend.errors import DelegationEnded, InvalidInput, NotAllowed, NotFound
from tests.support.portal_data import PDF, uploaded

MARIO, GIULIA = "mario@gmail.com", "giulia@gmail.com"


@pytest.fixture
def people(uow):
    return (
        add_active_account(uow, MARIO, "RSSMRA85T10A562S"),
        add_active_account(uow, GIULIA, "BNCGLI90A41H501E", "Giulia Bianchi"),
    )


def submitted(uow, delegator, days=90) -> int:
    return delegations.request_delegation(uow, delegator, GIULIA.upper(), days, uploaded(uow))


def active(uow, people, days=90) -> int:
    delegator, delegate = people
    delegation_id = submitted(uow, delegator, days)
    delegations.respond_logged_in(uow, delegate, delegation_id, True)
    return delegation_id


def acting_for(uow, actor, customer) -> bool:
    with uow:
        return delegations.active_delegation(uow, actor, customer) is not None


def statuses_mailed_to_delegator(uow) -> list[str]:
    return [m.body.split("è ora: ")[1].split(".")[0] for m in uow.messages_to(MARIO)]


def test_a_requested_delegation_becomes_active_when_the_delegate_accepts(uow, people, clock):
    delegator, delegate = people
    delegation_id = submitted(uow, delegator)
    assert uow.delegations.get(delegation_id).status == DelegationStatus.AWAITING_ACCEPTANCE
    request = uow.messages_to(GIULIA)[-1]
    assert request.subject == "Richiesta di delega" and "Mario Rossi" in request.body
    status = delegations.respond_logged_in(uow, delegate, delegation_id, accept=True)
    delegation = uow.delegations.get(delegation_id)
    assert status == DelegationStatus.ACTIVE
    assert delegation.expires_at == clock() + timedelta(days=90)
    assert statuses_mailed_to_delegator(uow) == ["in attesa di accettazione", "attiva"]
    assert uow.documents.find(delegation_id=delegation_id)[0].media_type == "application/pdf"


def test_the_delegate_can_decline(uow, people):
    delegator, delegate = people
    delegation_id = submitted(uow, delegator)
    status = delegations.respond_logged_in(uow, delegate, delegation_id, accept=False)
    assert status == DelegationStatus.REVOKED
    assert statuses_mailed_to_delegator(uow)[-1] == "revocata"


def test_only_the_delegate_can_answer_and_the_request_carries_no_code(uow, people):
    delegator, _ = people
    delegation_id = submitted(uow, delegator)
    with pytest.raises(NotFound):
        delegations.respond_logged_in(uow, delegator, delegation_id, True)
    assert uow.delegations.get(delegation_id).status == DelegationStatus.AWAITING_ACCEPTANCE
    request = uow.messages_to(GIULIA)[-1]
    assert "«le mie deleghe»" in request.body and f"n. {delegation_id}" in request.body
    assert not re.search(r"\d{6}", request.body) and uow.codes.find() == []


def test_a_delegation_needs_a_registered_delegate_and_a_sane_duration(uow, people):
    delegator, _ = people
    reference = uploaded(uow)
    with pytest.raises(NotFound, match="registrato"):
        delegations.request_delegation(uow, delegator, "ghost@gmail.com", 90, reference)
    with pytest.raises(InvalidInput, match="tua stessa utenza"):
        delegations.request_delegation(uow, delegator, MARIO, 90, reference)
    for days in (0, 366):
        with pytest.raises(InvalidInput, match="massimo di un anno"):
            delegations.request_delegation(uow, delegator, GIULIA, days, reference)
    assert uow.delegations.find() == [] and uow.outbox.find() == []
    assert documents.check_upload(uow, reference) == "application/pdf"  # still unclaimed


def test_suspend_resume_revoke_each_mail_the_delegator(uow, people):
    delegator, _ = people
    delegation_id = active(uow, people)
    delegations.suspend_delegation(uow, delegator, delegation_id)
    delegations.resume_delegation(uow, delegator, delegation_id)
    delegations.revoke_delegation(uow, delegator, delegation_id)
    assert statuses_mailed_to_delegator(uow)[-3:] == ["sospesa", "attiva", "revocata"]
    with pytest.raises(NotAllowed, match="la delega è revocata"):
        delegations.resume_delegation(uow, delegator, delegation_id)
    events = [e.event for e in uow.audit.find()]
    assert {"delegation_suspended", "delegation_active", "delegation_revoked"} <= set(events)


def test_only_the_delegator_manages_the_delegation(uow, people):
    _, delegate = people
    delegation_id = active(uow, people)
    with pytest.raises(NotFound):
        delegations.revoke_delegation(uow, delegate, delegation_id)


def test_a_delegation_expires_by_date(uow, people, clock):
    delegator, delegate = people
    delegation_id = active(uow, people, days=30)
    clock.advance(days=29, hours=23)
    assert acting_for(uow, delegate, delegator)
    assert delegations.expire_delegations(uow) == 0
    clock.advance(hours=1)
    assert not acting_for(uow, delegate, delegator)
    assert [d.status for d in delegations.list_delegations(uow, delegate)] == ["expired"]
    # Listing shows the expiry without storing it: the sweep stores it and mails the delegator.
    assert uow.delegations.get(delegation_id).status == DelegationStatus.ACTIVE
    assert delegations.expire_delegations(uow) == 1
    assert uow.delegations.get(delegation_id).status == DelegationStatus.EXPIRED


def test_the_sweep_expires_and_mails(uow, people, clock):
    active(uow, people, days=10)
    clock.advance(days=11)
    assert delegations.expire_delegations(uow) == 1
    assert statuses_mailed_to_delegator(uow)[-1] == "scaduta"
    to_delegate = uow.messages_to(GIULIA)[-1]
    assert to_delegate.subject == "Delega scaduta" and "Mario Rossi" in to_delegate.body
    assert delegations.expire_delegations(uow) == 0  # idempotent: nothing mailed twice
    assert len(uow.messages_to(GIULIA)) == 2


def test_modify_changes_the_duration_within_a_year(uow, people, clock):
    delegator, delegate = people
    delegation_id = active(uow, people, days=30)
    delegations.modify_delegation(uow, delegator, delegation_id, 365)
    clock.advance(days=100)
    assert acting_for(uow, delegate, delegator)
    with pytest.raises(InvalidInput, match="massimo di un anno"):
        delegations.modify_delegation(uow, delegator, delegation_id, 400)
    with pytest.raises(InvalidInput, match="già scaduta"):
        delegations.modify_delegation(uow, delegator, delegation_id, 50)


def test_expired_or_revoked_delegations_cannot_be_modified(uow, people, clock):
    delegator, _ = people
    delegation_id = active(uow, people, days=5)
    clock.advance(days=6)
    with pytest.raises(NotAllowed, match="non si può modificare"):
        delegations.modify_delegation(uow, delegator, delegation_id, 300)


def test_acting_for_needs_an_active_delegation(uow, people):
    delegator, delegate = people
    assert not acting_for(uow, delegate, delegator)
    with pytest.raises(DelegationEnded, match="non è più attiva"), uow:
        delegations.require_acting_for(uow, delegate, delegator)
    delegation_id = active(uow, people)
    assert acting_for(uow, delegate, delegator)
    assert not acting_for(uow, delegator, delegate)  # not the other way round
    delegations.suspend_delegation(uow, delegator, delegation_id)
    assert not acting_for(uow, delegate, delegator)


# ---- uploads through a channel, claimed by reference (the chat)


def test_an_upload_is_claimed_once_by_reference_and_the_request_goes_out(uow, people):
    delegator, delegate = people
    reference = documents.store_upload(uow, PDF)
    assert documents.check_upload(uow, reference) == "application/pdf"
    assert uow.documents.find()[0].account_id is None
    delegation_id = delegations.request_delegation(uow, delegator, GIULIA, 180, reference)
    delegation = uow.delegations.get(delegation_id)
    assert (delegation.status, delegation.duration_days) == (
        DelegationStatus.AWAITING_ACCEPTANCE,
        180,
    )
    document = uow.documents.find(delegation_id=delegation_id)[0]
    assert document.account_id == delegator
    assert uow.messages_to(GIULIA)[-1].subject == "Richiesta di delega"
    with pytest.raises(UploadNotValid, match="caricalo di nuovo"):
        documents.check_upload(uow, reference)  # single use
    with pytest.raises(UploadNotValid):
        delegations.request_delegation(uow, delegator, GIULIA, 30, reference)
    assert [d.id for d in uow.delegations.find()] == [delegation_id]


def test_an_upload_reference_is_unguessable_and_short_lived(uow, people, clock):
    delegator, _ = people
    reference = documents.store_upload(uow, PDF)
    number, _, signature = reference.partition(".")
    assert len(signature) >= 40
    for forged in (number, f"{number}.{'A' * len(signature)}", "abc", "", f"99.{signature}"):
        with pytest.raises(UploadNotValid):
            delegations.request_delegation(uow, delegator, GIULIA, 30, forged)
    clock.advance(minutes=31)
    with pytest.raises(UploadNotValid):
        delegations.request_delegation(uow, delegator, GIULIA, 30, reference)
    assert uow.delegations.find() == [] and uow.outbox.find() == []
    assert documents.purge_expired_uploads(uow) == 1
    assert uow.documents.find() == []


def test_an_upload_that_is_not_a_document_is_refused(uow):
    with pytest.raises(InvalidInput, match="PDF, JPEG o PNG"):
        documents.store_upload(uow, b"MZ\x90\x00 exe")
    with pytest.raises(InvalidInput, match="5 MB"):
        documents.store_upload(uow, b"%PDF-" + b"x" * documents.MAX_DOCUMENT_BYTES)
    assert uow.documents.find() == []


def test_check_delegate_names_a_registered_customer(uow, people):
    delegator, _ = people
    assert delegations.check_delegate(uow, delegator, " Giulia@Gmail.com ") == "Giulia Bianchi"
    with pytest.raises(NotFound, match="deve essere registrato"):
        delegations.check_delegate(uow, delegator, "ghost@gmail.com")
    with pytest.raises(InvalidInput, match="tua stessa utenza"):
        delegations.check_delegate(uow, delegator, MARIO)


def test_the_logged_in_delegate_answers_without_the_code(uow, people):
    delegator, delegate = people
    delegation_id = submitted(uow, delegator)
    with pytest.raises(NotFound):
        delegations.respond_logged_in(uow, delegator, delegation_id, True)
    assert delegations.respond_logged_in(uow, delegate, delegation_id, True) == "active"
    assert statuses_mailed_to_delegator(uow)[-1] == "attiva"
    with pytest.raises(NotAllowed, match="non è in attesa"):
        delegations.respond_logged_in(uow, delegate, delegation_id, False)


def test_delegation_for_shows_given_and_received_only(uow, people):
    delegator, delegate = people
    delegation_id = submitted(uow, delegator)
    assert delegations.delegation_for(uow, delegate, delegation_id).id == delegation_id
    assert delegations.delegation_for(uow, delegator, delegation_id).id == delegation_id
    stranger = add_active_account(uow, "luca@gmail.com", "VRDLCU80A01H501U", "Luca Verdi")
    with pytest.raises(NotFound):
        delegations.delegation_for(uow, stranger, delegation_id)
    names = delegations.party_names(uow, uow.delegations.get(delegation_id))
    assert names == ("Mario Rossi", "Giulia Bianchi")
