"""A channel's upload: checked by content, kept without an owner, named by a reference."""

import pytest

from backend import documents
from backend.errors import InvalidInput

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_pdf_upload_gets_a_reference_that_names_a_waiting_document(uow):
    reference = documents.store_upload(uow, PDF)
    assert documents.check_upload(uow, reference) == "application/pdf"
    (document,) = uow.documents.find(account_id=None)
    assert document.content == PDF


def test_the_content_decides_the_type(uow):
    assert documents.check_upload(uow, documents.store_upload(uow, PNG)) == "image/png"
    with pytest.raises(InvalidInput, match="PDF, JPEG o PNG"):
        documents.store_upload(uow, b"solo testo")


def test_too_big_an_upload_is_refused_in_italian(uow):
    with pytest.raises(InvalidInput, match="5 MB"):
        documents.store_upload(uow, PDF + b"0" * documents.MAX_DOCUMENT_BYTES)
    assert uow.documents.find() == []
