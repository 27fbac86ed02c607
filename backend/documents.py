"""Uploaded documents: accepted by their content (magic bytes), not by their name."""

from backend.errors import InvalidInput
from backend.models import Document

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def media_type(content: bytes) -> str:
    """The document's type from its first bytes; refuses anything but PDF, JPEG, PNG."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput("Il documento supera la dimensione massima di 5 MB.")
    for signature, kind in _SIGNATURES.items():
        if content.startswith(signature):
            return kind
    raise InvalidInput("Il documento deve essere un file PDF, JPEG o PNG.")


def store(uow, account_id: int, content: bytes, **owner) -> Document:
    """Keep a checked document; ``owner`` names the delegation or transfer it belongs to."""
    kind = media_type(content)
    return uow.documents.add(
        Document(
            account_id=account_id, media_type=kind, content=content, created_at=uow.now(), **owner
        )
    )
