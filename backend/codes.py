"""One-time verification codes: 6 digits, short-lived, single use, purpose-bound.

Only a keyed hash (HMAC with the secret key, bound to account, purpose and ref) is
stored, so a code for one purpose never verifies another.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

import pyotp

from backend import audit, outbox, sms_budget
from backend.entities import Account, Channel, CodePurpose, VerificationCode
from backend.errors import CodeRejected, Throttled

# The message carries no count of tries left: it would tell a real account from an unknown
# one. CodeRejected.attempts_left has it for callers that know who the user is.
WRONG_CODE = "Il codice non è corretto."
EXPIRED = "Il codice è scaduto o è già stato usato: richiedine uno nuovo."
NO_CODE = "Non risulta nessun codice da verificare: richiedine uno nuovo."
TOO_MANY_TRIES = "Hai superato il numero di tentativi: richiedi un nuovo codice."
GRANT_EXPIRED = (
    "È passato troppo tempo dalla verifica del codice: ricomincia e richiedi un nuovo codice."
)
# A grant: what a verified code leaves behind when the task ends at a later step (the chat
# asks the code first, then the new password or e-mail). It is bound to who verified the
# code (the conversation), lasts a few minutes and is used once; the code itself is gone.
GRANT_REF = "grant"
GRANT_MINUTES = 15


def too_soon(settings) -> str:
    """Why a new code is not sent yet, quoting ``CODE_RESEND_SECONDS``."""
    seconds = settings.code_resend_seconds
    return f"Hai appena richiesto un codice: attendi {seconds} secondi prima di chiederne un altro."


def _digest(uow, account_id: int, purpose: CodePurpose, ref: str, code: str) -> str:
    message = f"{account_id}:{purpose}:{ref}:{code}".encode()
    return hmac.new(uow.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def generate() -> str:
    # A HOTP over a fresh random secret is a uniformly random 6-digit code.
    return pyotp.HOTP(pyotp.random_base32()).at(0)


def issue(uow, account_id: int, purpose: CodePurpose, ref: str = "") -> str:
    """Create a code and return it (for the message body only: never log or store it)."""
    now = uow.now()
    settings = uow.settings
    recent = [
        c
        for c in uow.codes.find(account_id=account_id, purpose=purpose, ref=ref)
        if c.created_at > now - timedelta(hours=1)
    ]
    latest = recent[-1] if recent else None
    # A code voided by a corrected address does not hold back the one for the new address;
    # the hourly cap still bounds them all.
    wait_from = now - timedelta(seconds=settings.code_resend_seconds)
    if latest and latest.expires_at > now and latest.created_at > wait_from:
        raise Throttled(too_soon(settings))
    if len(recent) >= settings.code_max_per_hour:
        raise Throttled("Hai richiesto troppi codici: riprova tra un'ora.")
    code = generate()
    _store(uow, account_id, purpose, ref, code, settings.code_ttl_minutes)
    return code


def void(uow, account_id: int, purpose: CodePurpose) -> None:
    """The codes sent to an address the customer has since corrected: none verifies now."""
    now = uow.now()
    for code in uow.codes.find(account_id=account_id, purpose=purpose, ref=""):
        code.expires_at = min(code.expires_at, now)


def _store(uow, account_id: int, purpose: CodePurpose, ref: str, secret: str, minutes: int) -> None:
    """Keeps only the keyed hash of ``secret``, valid for ``minutes``."""
    now = uow.now()
    uow.codes.add(
        VerificationCode(
            account_id=account_id,
            purpose=purpose,
            ref=ref,
            code_hash=_digest(uow, account_id, purpose, ref, secret),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )


def verify(uow, account_id: int, purpose: CodePurpose, code: str, ref: str = "") -> None:
    """Consume the latest code; on a wrong code count the try and commit it, then raise."""
    issued = uow.codes.find(account_id=account_id, purpose=purpose, ref=ref)
    if not issued:
        raise CodeRejected(NO_CODE)
    # Lock the row so concurrent tries are counted and consumed one at a time.
    latest = uow.codes.get(issued[-1].id, for_update=True)
    now = uow.now()
    if latest.used_at is not None or now >= latest.expires_at:
        raise CodeRejected(EXPIRED)
    if latest.attempts >= uow.settings.code_max_attempts:
        raise CodeRejected(TOO_MANY_TRIES)
    expected = _digest(uow, account_id, purpose, ref, code.strip())
    if not hmac.compare_digest(expected, latest.code_hash):
        latest.attempts += 1
        audit.record(uow, "code_failed", account_id, purpose=str(purpose), attempts=latest.attempts)
        uow.commit()  # the failed try must count even though the caller's change rolls back
        raise CodeRejected(WRONG_CODE, uow.settings.code_max_attempts - latest.attempts)
    if not uow.codes.consume(latest, now):
        raise CodeRejected(EXPIRED)


# Kept a day past expiry: within it a late try hears «scaduto» rather than «nessun codice», and
# the hourly resend limit counts the codes of the last hour.
KEEP_EXPIRED = timedelta(days=1)


def purge_expired_codes(uow) -> int:
    """Delete the hashes of codes and grants expired more than a day ago; how many."""
    with uow:
        cutoff = uow.now() - KEEP_EXPIRED
        stale = [c for c in uow.codes.find() if c.expires_at < cutoff]
        for code in stale:
            uow.codes.delete(code)
        uow.commit()
        return len(stale)


def grant(uow, account_id: int, purpose: CodePurpose, holder: str) -> None:
    """After ``verify``: let ``holder`` finish the task once, within ``GRANT_MINUTES``."""
    _store(uow, account_id, purpose, GRANT_REF, holder, GRANT_MINUTES)


def granted(uow, account_id: int, purpose: CodePurpose, holder: str) -> VerificationCode:
    """The holder's live grant (locked for update); ``CodeRejected`` when there is none."""
    issued = uow.codes.find(account_id=account_id, purpose=purpose, ref=GRANT_REF)
    if not issued:
        raise CodeRejected(GRANT_EXPIRED)
    latest = uow.codes.get(issued[-1].id, for_update=True)
    expected = _digest(uow, account_id, purpose, GRANT_REF, holder)
    if (
        latest.used_at is not None
        or uow.now() >= latest.expires_at
        or not hmac.compare_digest(expected, latest.code_hash)
    ):
        raise CodeRejected(GRANT_EXPIRED)
    return latest


def use_grant(uow, grant_row: VerificationCode) -> None:
    """Spend a grant returned by ``granted``, in the caller's transaction."""
    if not uow.codes.consume(grant_row, uow.now()):
        raise CodeRejected(GRANT_EXPIRED)


@dataclass(frozen=True)
class CodeMessage:
    """How a code for ``purpose`` reaches an account: ``template`` over ``channel``."""

    purpose: CodePurpose
    channel: Channel  # the account's e-mail or its mobile
    template: str
    event: str  # audited as <event>_requested or <event>_throttled

    def send(self, uow, account: Account | None) -> None:
        """Send a fresh code, silently none when one went out just now; for no account, the
        same work and a write, nothing sent: the caller's answer is the same either way."""
        if account is None:
            decoy_issue(uow, self.template)
            audit.record(uow, f"{self.event}_requested", None)
            return
        try:
            self.deliver(uow, account)
        except Throttled:
            audit.record(uow, f"{self.event}_throttled", account.id)

    def deliver(self, uow, account: Account, **budget) -> None:
        """Send a fresh code; ``Throttled`` when none may go yet, for callers that may say so.
        An SMS goes through the SMS budget: ``budget`` gives its ``client`` and ``opens_flow``
        (``backend.sms_budget.send_sms``), and may refuse it (``SmsRefused``)."""
        code = issue(uow, account.id, self.purpose)
        values = {"name": account.display_name, "code": code}
        if self.channel == Channel.SMS:
            sms_budget.send_sms(
                uow, account.mobile, self.template, flow=self.purpose, **budget, **values
            )
        else:
            outbox.send_email(uow, account.email, self.template, **values)
        audit.record(uow, f"{self.event}_requested", account.id)


# For callers that must not reveal whether an account exists: the same work, nothing kept.


def decoy_issue(uow, template: str) -> None:
    """What ``issue`` and sending cost, with nothing stored or sent."""
    code = generate()
    _digest(uow, 0, CodePurpose.PASSWORD_RESET, "", code)
    outbox.render(template, name="", code=code, minutes=0, hours=0)


def reject_unknown(uow, code: str) -> None:
    """Answer a code for an unknown account exactly like a wrong code."""
    _digest(uow, 0, CodePurpose.PASSWORD_RESET, "", code)
    audit.record(uow, "code_failed", None)
    uow.commit()
    raise CodeRejected(WRONG_CODE)
