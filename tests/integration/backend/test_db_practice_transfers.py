"""Practice transfers as the chat makes them, on SQLite and PostgreSQL."""

import pytest
from test_db_services import PDF, SOLE_VERDE

from backend import documents, practices
from backend.entities import AuditEvent, Document, PracticeTransfer
from backend.errors import Conflict
from tests.support.portal_data import add_practice, uploaded
from tests.support.registration import register


def test_a_transfer_by_upload_reference_then_its_status(database, uow_factory, clock):
    old = register(uow_factory(), clock)
    new = register(uow_factory(), clock, **SOLE_VERDE)
    first, second = (
        add_practice(uow_factory(), old, "Sole Verde S.r.l.", "01114601006") for _ in range(2)
    )
    reference = documents.store_upload(uow_factory(), PDF)
    transfer_id = practices.request_transfer(
        uow_factory(), new, "01114601006", [first], document_references=[reference]
    )
    with pytest.raises(Conflict, match=first):
        practices.request_transfer(
            uow_factory(), new, "01114601006", [first, second], [uploaded(uow_factory())]
        )
    with database.session_factory() as session:
        assert session.query(PracticeTransfer).count() == 1
        event = session.query(AuditEvent).filter_by(event="practice_transfer_requested").one()
        assert event.details["documents"] == 1
        assert session.query(Document).filter_by(transfer_id=transfer_id).count() == 1
    [pending] = practices.practice_status(uow_factory(), new)[0]
    assert (pending.id, pending.practice_numbers) == (transfer_id, [first])
    practices.decide_transfer(uow_factory(), transfer_id, approve=True, note="Ok")
    [done] = practices.practice_status(uow_factory(), new)[0]
    assert done.status_it.startswith("completata") and done.decided_at is not None
