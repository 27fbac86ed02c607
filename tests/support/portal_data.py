"""The distributor's data a test needs (PODs, practices), uploads and the codes the outbox
holds: on any unit of work, the unit tests' fake or a real database."""

import re
import secrets

from backend import documents
from backend.entities import Pod, Practice

PDF = b"%PDF-1.7\n" + b"x" * 100

CODE = re.compile(r"\b\d{6}\b")


def last_code(uow, recipient: str) -> str:
    """The code in the latest message to an address or number, as the user would read it."""
    with uow:
        return CODE.search(uow.outbox.find(recipient=recipient)[-1].body).group()


def uploaded(uow, content: bytes = PDF) -> str:
    """The reference of a document uploaded through a channel (the web widget, Telegram)."""
    return documents.store_upload(uow, content)


def add_pod(uow, code: str, owner_fiscal_code: str, customer_type: str, address: str = "") -> str:
    """A POD in the distributor's registry, which the portal only reads."""
    with uow:
        uow.pods.add(
            Pod(
                code=code,
                owner_fiscal_code=owner_fiscal_code,
                customer_type=customer_type,
                address=address,
            )
        )
        uow.commit()
    return code


def add_practice(
    uow, account_id: int | None, requester_name: str, requester_fiscal_code: str, description=""
) -> str:
    """A connection practice on the distributor's records; returns its number."""
    with uow:
        now = uow.now()
        number = f"PC-{now:%Y}-{secrets.token_hex(4).upper()}"
        uow.practices.add(
            Practice(
                number=number,
                account_id=account_id,
                requester_name=requester_name,
                requester_fiscal_code=requester_fiscal_code,
                description=description,
                created_at=now,
            )
        )
        uow.commit()
    return number
