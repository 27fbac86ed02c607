"""The channels' upload contract: ``documents.upload`` keeps a checked file for the chat."""

import pytest

from backend import documents
from backend.errors import InvalidInput

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_upload_gives_an_unguessable_reference_to_a_waiting_document(uow):
    reference = documents.upload(uow, PNG, "carta.png")
    number, _, signature = reference.partition(".")
    assert number.isdigit() and len(signature) >= 40
    assert documents.check_upload(uow, reference) == "image/png"
    with pytest.raises(documents.UploadNotValid):
        documents.check_upload(uow, f"{number}.{'A' * len(signature)}")


def test_the_name_does_not_decide_the_type(uow):
    with pytest.raises(InvalidInput, match="PDF, JPEG o PNG"):
        documents.upload(uow, b"MZ\x90 not a pdf", "carta.pdf")
    with pytest.raises(InvalidInput, match="5 MB"):
        documents.upload(uow, b"%PDF-" + b"x" * documents.MAX_DOCUMENT_BYTES, "carta.pdf")
