"""Practice transfers: requests by upload reference, no duplicates, status in Italian."""

import pytest
from backend_fakes import add_active_account

from backend import documents, practices
from backend.errors import Conflict, InvalidInput
from tests.support.portal_data import PDF, add_practice, uploaded

COMPANY = "01114601006"


@pytest.fixture
def company_practices(uow):
    old = add_active_account(uow, "old@soleverde.it", "VRDLGU80A01H501Q", "Luigi Verdi")
    new = add_active_account(uow, "new@soleverde.it", COMPANY, "Sole Verde")
    numbers = [add_practice(uow, old, "Sole Verde S.r.l.", COMPANY, "FV") for _ in range(2)]
    return new, numbers


def test_a_transfer_claims_the_documents_uploaded_through_a_channel(uow, company_practices):
    new, numbers = company_practices
    reference = documents.store_upload(uow, PDF)
    transfer_id = practices.request_transfer(
        uow, new, COMPANY, numbers, document_references=[f" {reference} "]
    )
    [event] = uow.audit.find(event="practice_transfer_requested")
    assert event.details == {"transfer_id": transfer_id, "documents": 1}
    [document] = uow.documents.find(transfer_id=transfer_id)
    assert document.account_id == new
    with pytest.raises(InvalidInput, match="documenti"):
        practices.request_transfer(uow, new, COMPANY, numbers, document_references=[" "])


def test_a_practice_waiting_to_move_is_not_requested_twice(uow, company_practices):
    new, numbers = company_practices
    first = practices.request_transfer(uow, new, COMPANY, numbers[:1], [uploaded(uow)])
    with pytest.raises(Conflict, match=numbers[0]):
        practices.request_transfer(uow, new, COMPANY, numbers, [uploaded(uow)])
    practices.decide_transfer(uow, first, approve=False, note="Manca la procura")
    practices.request_transfer(uow, new, COMPANY, numbers, [uploaded(uow)])


def test_transfers_of_tells_each_request_s_state(uow, company_practices):
    new, numbers = company_practices
    assert practices.practice_status(uow, new)[0] == []
    first = practices.request_transfer(uow, new, COMPANY, numbers[:1], [uploaded(uow)])
    practices.decide_transfer(uow, first, approve=False, note="Manca la procura")
    second = practices.request_transfer(uow, new, COMPANY, numbers, [uploaded(uow)])
    rejected, pending = practices.practice_status(uow, new)[0]
    assert (rejected.id, rejected.status_it, rejected.outcome_note) == (
        first,
        "respinta",
        "Manca la procura",
    )
    assert rejected.practice_numbers == numbers[:1] and rejected.decided_at is not None
    assert (pending.id, pending.practice_numbers) == (second, numbers)
    assert pending.status_it.startswith("in lavorazione") and pending.decided_at is None
