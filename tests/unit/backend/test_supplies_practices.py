import pytest
from backend_fakes import add_active_account

from backend import callbacks, documents, practices, staff, supplies
from backend.errors import Conflict, InvalidInput, NotAllowed, NotFound
from backend.passwords import verify_password
from tests.support.portal_data import PDF, add_pod, add_practice, uploaded

MARIO_CF = "RSSMRA85T10A562S"
COMPANY = "01114601006"


def test_a_pod_links_only_to_the_account_with_the_owner_fiscal_code(uow):
    mario = add_active_account(uow, "mario@gmail.com", MARIO_CF)
    giulia = add_active_account(uow, "giulia@gmail.com", "BNCGLI90A41H501E", "Giulia Bianchi")
    add_pod(uow, "IT001E12345678", MARIO_CF, "residential", "Via Roma 1")
    with pytest.raises(NotAllowed, match="non risulta associato"):
        supplies.link_supply(uow, giulia, "IT001E12345678")
    view = supplies.link_supply(uow, mario, "it001e 1234 5678")
    assert (view.pod, view.address) == ("IT001E12345678", "Via Roma 1")
    assert "Verifica del corretto funzionamento del contatore" in view.services
    assert supplies.list_supplies(uow, mario) == [view]
    assert supplies.list_supplies(uow, giulia) == []
    with pytest.raises(Conflict, match="già associato"):
        supplies.link_supply(uow, mario, "IT001E12345678")


def test_an_unknown_pod_gets_the_same_answer_as_someone_elses(uow):
    mario = add_active_account(uow, "mario@gmail.com", MARIO_CF)
    with pytest.raises(NotAllowed, match="non risulta associato"):
        supplies.link_supply(uow, mario, "IT001E99999999")
    with pytest.raises(NotFound):
        supplies.link_supply(uow, 999, "IT001E99999999")


def test_services_follow_the_customer_type(uow):
    assert set(supplies.customer_types()) == {
        "residential",
        "business",
        "producer",
        "sales_company",
    }
    assert "Visualizzazione delle letture dei produttori" in supplies.services_for("producer")
    assert "Visualizzazione delle letture dei produttori" not in supplies.services_for(
        "residential"
    )
    for kind in supplies.customer_types():
        assert "Richiesta di una nuova connessione" in supplies.services_for(kind)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "application/pdf"),
        (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
    ],
)
def test_documents_are_recognised_by_their_content(content, kind):
    assert documents.media_type(content) == kind


def test_documents_over_5_mb_or_of_other_types_are_refused():
    with pytest.raises(InvalidInput, match="5 MB"):
        documents.media_type(PDF + b"0" * (5 * 1024 * 1024))
    documents.media_type(PDF + b"0" * (5 * 1024 * 1024 - len(PDF)))
    with pytest.raises(InvalidInput, match="PDF, JPEG o PNG"):
        documents.media_type(b"GIF89a")


@pytest.fixture
def company_practices(uow):
    """The old legal representative's account holds two practices of the company."""
    old = add_active_account(uow, "old@soleverde.it", "VRDLGU80A01H501Q", "Luigi Verdi")
    new = add_active_account(uow, "new@soleverde.it", COMPANY, "Sole Verde")
    numbers = [add_practice(uow, old, "Sole Verde S.r.l.", COMPANY, "FV 20 kW") for _ in range(2)]
    return old, new, numbers


def test_a_new_legal_representative_sees_and_requests_the_company_practices(uow, company_practices):
    old, new, numbers = company_practices
    grouped = practices.transferable_practices(uow, new)
    [(requester, found)] = grouped.items()
    assert requester == practices.Requester("Sole Verde S.r.l.", COMPANY)
    assert sorted(p.number for p in found) == sorted(numbers)
    transfer_id = practices.request_transfer(uow, new, COMPANY, numbers, [uploaded(uow)])
    assert [t.id for t in uow.transfers.find(status="pending")] == [transfer_id]
    assert len(uow.documents.find(transfer_id=transfer_id)) == 1
    practices.decide_transfer(uow, transfer_id, approve=True, note="Documenti in regola")
    assert sorted(p.number for p in uow.practices.find(account_id=new)) == sorted(numbers)
    assert uow.practices.find(account_id=old) == []
    [message] = practices.practice_status(uow, new)[1]
    assert message.subject == "Spostamento pratiche completato"
    assert numbers[0] in message.body and "Documenti in regola" in message.body
    assert uow.messages_to("new@soleverde.it")[-1].body == message.body
    with pytest.raises(NotAllowed, match="già stata lavorata"):
        practices.decide_transfer(uow, transfer_id, approve=False)


def test_a_rejected_transfer_leaves_the_practices_where_they_are(uow, company_practices):
    old, new, numbers = company_practices
    transfer_id = practices.request_transfer(uow, new, COMPANY, numbers[:1], [uploaded(uow)])
    practices.decide_transfer(uow, transfer_id, approve=False, note="Manca la procura")
    assert len(uow.practices.find(account_id=old)) == 2
    assert "Manca la procura" in practices.practice_status(uow, new)[1][0].body


def test_a_transfer_needs_practices_documents_and_the_right_company(uow, company_practices):
    old, new, numbers = company_practices
    with pytest.raises(InvalidInput, match="almeno una pratica"):
        practices.request_transfer(uow, new, COMPANY, [], [uploaded(uow)])
    with pytest.raises(InvalidInput, match="documenti"):
        practices.request_transfer(uow, new, COMPANY, numbers, [])
    with pytest.raises(NotAllowed, match="società"):
        practices.request_transfer(uow, old, COMPANY, numbers, [uploaded(uow)])
    with pytest.raises(InvalidInput, match="non appartengono"):
        practices.request_transfer(uow, new, COMPANY, ["PC-0000-NOPE"], [uploaded(uow)])
    with pytest.raises(NotFound):
        practices.decide_transfer(uow, 99, approve=True)
    with pytest.raises(NotFound):
        practices.transferable_practices(uow, 99)


@pytest.mark.parametrize(
    ("name", "phone", "topic", "message"),
    [
        ("", "3331234567", "x", "nome"),
        ("Mario", "123", "x", "telefono"),
        ("Mario", "3331234567", " ", "motivo"),
    ],
)
def test_callback_requests_need_name_phone_and_topic(uow, name, phone, topic, message):
    with pytest.raises(InvalidInput, match=message):
        callbacks.request_callback(uow, name, phone, topic, "mattina")


def test_staff_users_have_a_role_and_a_hashed_password(uow):
    staff_id = staff.add_staff(uow, " Anna ", "supervisor", "Console#2024")
    user = uow.staff.get(staff_id)
    assert (user.username, user.role) == ("anna", "supervisor")
    assert verify_password(uow.settings, user.password_hash, "Console#2024")
    assert staff.authenticate_staff(uow, "ANNA", "Console#2024").id == staff_id
    assert staff.authenticate_staff(uow, "anna", "wrong") is None
    assert staff.authenticate_staff(uow, "ghost", "Console#2024") is None
    with pytest.raises(Conflict):
        staff.add_staff(uow, "anna", "agent", "Console#2024")
    with pytest.raises(InvalidInput, match="agent o supervisor"):
        staff.add_staff(uow, "bob", "admin", "Console#2024")
    with pytest.raises(InvalidInput, match="username"):
        staff.add_staff(uow, " ", "agent", "Console#2024")
