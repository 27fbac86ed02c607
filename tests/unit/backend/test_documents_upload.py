"""A channel's upload: checked by content, kept without an owner, named by a reference."""

import pytest

from backend import documents
from backend.documents import UploadNotValid
from backend.errors import InvalidInput

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_pdf_upload_gets_a_reference_that_names_a_waiting_document(uow):
    reference = documents.upload(uow, PDF, "carta.pdf")
    assert documents.check_upload(uow, reference) == "application/pdf"
    (document,) = uow.documents.find(account_id=None)
    assert document.content == PDF


def test_the_content_decides_not_the_name(uow):
    assert documents.check_upload(uow, documents.upload(uow, PNG, "foto.pdf")) == "image/png"
    with pytest.raises(InvalidInput, match="PDF, JPEG o PNG"):
        documents.upload(uow, b"solo testo", "carta.pdf")


def test_too_big_an_upload_is_refused_in_italian(uow):
    with pytest.raises(InvalidInput, match="5 MB"):
        documents.upload(uow, PDF + b"0" * documents.MAX_DOCUMENT_BYTES, "grande.pdf")
    assert uow.documents.find() == []


def test_a_reference_cannot_be_guessed_or_reused_after_its_time(uow, clock):
    reference = documents.upload(uow, PDF, "carta.pdf")
    number, _, signature = reference.partition(".")
    assert len(signature) >= 40
    with pytest.raises(UploadNotValid):
        documents.check_upload(uow, f"{number}.{'A' * len(signature)}")
    clock.advance(minutes=31)
    with pytest.raises(UploadNotValid, match="caricalo di nuovo"):
        documents.check_upload(uow, reference)
