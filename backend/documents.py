"""Uploaded documents: accepted by their content (magic bytes), not by their name.

A channel (web widget, Telegram bridge) does not know who is logged in to the chat, so it
stores an upload without an owner (``store_upload``) and gets back an unguessable
reference; the chat then hands the reference to the flow, which claims the document for
the logged-in account and the delegation (or transfer) it belongs to. The reference is the
capability: it is signed with the secret key, works once, and only for a short while.
"""

import base64
import hashlib
import hmac
from datetime import timedelta

from backend.entities import Document
from backend.errors import InvalidInput

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
# How long an upload waits to be claimed by the chat before its reference stops working.
UPLOAD_TTL = timedelta(minutes=30)
_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


class UploadNotValid(InvalidInput):
    """The reference names no upload waiting to be claimed (wrong, used or expired)."""

    def __init__(self):
        super().__init__(
            "Il documento caricato non è più disponibile (è scaduto o è già stato usato): "
            "caricalo di nuovo."
        )


def media_type(content: bytes) -> str:
    """The document's type from its first bytes; refuses anything but PDF, JPEG, PNG."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput("Il documento supera la dimensione massima di 5 MB.")
    for signature, kind in _SIGNATURES.items():
        if content.startswith(signature):
            return kind
    raise InvalidInput("Il documento deve essere un file PDF, JPEG o PNG.")


def store_upload(uow, content: bytes) -> str:
    """Keep a checked upload nobody owns yet; returns the reference that claims it."""
    kind = media_type(content)
    with uow:
        document = uow.documents.add(
            Document(account_id=None, media_type=kind, content=content, created_at=uow.now())
        )
        reference = f"{document.id}.{_signature(uow, document)}"
        uow.commit()
        return reference


def claim_upload(uow, reference: str, account_id: int, **owner) -> Document:
    """Give a waiting upload to its account and owner, inside the caller's transaction."""
    document = _waiting(uow, reference, for_update=True)
    document.account_id = account_id
    for key, value in owner.items():
        setattr(document, key, value)
    return document


def check_upload(uow, reference: str) -> str:
    """The media type of a waiting upload; raises ``UploadNotValid`` when it cannot be used."""
    with uow:
        return _waiting(uow, reference).media_type


def purge_expired_uploads(uow) -> int:
    """Delete uploads never claimed within their time; returns how many."""
    with uow:
        stale = [
            document
            for document in uow.documents.find(account_id=None)
            if document.created_at + UPLOAD_TTL <= uow.now()
        ]
        for document in stale:
            uow.documents.delete(document)
        uow.commit()
        return len(stale)


def _signature(uow, document: Document) -> str:
    message = f"upload:{document.id}:{document.created_at.isoformat()}".encode()
    digest = hmac.new(uow.settings.secret_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _waiting(uow, reference: str, for_update: bool = False) -> Document:
    number, _, signature = str(reference or "").strip().partition(".")
    document = uow.documents.get(int(number), for_update=for_update) if number.isdigit() else None
    if (
        document is None
        or not hmac.compare_digest(signature, _signature(uow, document))
        or document.account_id is not None  # claimed already: single use
        or document.created_at + UPLOAD_TTL <= uow.now()
    ):
        raise UploadNotValid()
    return document
