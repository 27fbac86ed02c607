"""Uploads waiting for the chat, on real databases: claimed once, all or nothing."""

import pytest
from test_db_services import GIULIA, PDF, count

from backend import delegations, documents
from backend.documents import UploadNotValid
from backend.entities import Delegation, Document, OutboxMessage
from tests.support.registration import register


def test_an_upload_claimed_by_the_chat_request(database, uow_factory, clock):
    mario = register(uow_factory(), clock)
    register(uow_factory(), clock, **GIULIA)
    reference = documents.store_upload(uow_factory(), PDF)
    assert count(database, Document, Document.account_id.is_(None)) == 1
    delegation_id = delegations.request_delegation(
        uow_factory(), mario, GIULIA["email"], 90, reference
    )
    assert count(database, Document, Document.delegation_id == delegation_id) == 1
    assert count(database, Document, Document.account_id.is_(None)) == 0
    assert count(database, Delegation, Delegation.status == "awaiting_acceptance") == 1
    with pytest.raises(UploadNotValid):
        delegations.request_delegation(uow_factory(), mario, GIULIA["email"], 90, reference)


def test_an_expired_upload_leaves_nothing_half_written(database, uow_factory, clock):
    mario = register(uow_factory(), clock)
    register(uow_factory(), clock, **GIULIA)
    reference = documents.store_upload(uow_factory(), PDF)
    mails = count(database, OutboxMessage)
    clock.advance(minutes=31)
    with pytest.raises(UploadNotValid):
        delegations.request_delegation(uow_factory(), mario, GIULIA["email"], 90, reference)
    assert count(database, Delegation) == 0
    assert count(database, OutboxMessage) == mails
    assert documents.purge_expired_uploads(uow_factory()) == 1
    assert count(database, Document) == 0
