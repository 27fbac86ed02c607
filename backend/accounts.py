"""Accounts: registration step by step, login, deletion.

Password reset and username recovery and change are in ``backend.credentials``. The only
login is the portal's own, username and password: a code alone never opens an account.
"""

from datetime import timedelta

from backend import audit, codes, outbox, sms_budget
from backend.entities import Account, AccountStatus, CodePurpose, TranscriptErasure
from backend.errors import (
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    Throttled,
)
from backend.passwords import hash_password, verify_password
from backend.validators import (
    Holder,
    validate_email,
    validate_holder,
    validate_mobile,
    validate_password,
)

WRONG_CREDENTIALS = "Username o password non corretti."


def _account(uow, account_id: int) -> Account:
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFound("Utenza non trovata.")
    return account


def active_by_email(uow, email: str) -> Account | None:
    """The active account whose username is ``email``, if any."""
    account = uow.accounts.first(email=email.strip().lower())
    return account if account and account.status == AccountStatus.ACTIVE else None


def by_holder(uow, fiscal_code: str, representative_fiscal_code: str = "") -> Account | None:
    """The account of a person, or of a company as one legal representative registered it."""
    return uow.accounts.first(
        fiscal_code=fiscal_code, representative_fiscal_code=representative_fiscal_code
    )


def _drop_abandoned_registration(uow, existing: Account | None) -> None:
    if existing is None:
        return
    if existing.status == AccountStatus.ACTIVE:
        raise Conflict(
            "Esiste già un'utenza con questi dati. Se non ricordi le credenziali usa "
            "«Recupera dati»."
        )
    uow.accounts.delete(existing)


# --- registration ------------------------------------------------------------------------


def start_registration(
    uow,
    *,
    fiscal_id: str,
    email: str,
    mobile: str,
    first_name: str = "",
    last_name: str = "",
    company_name: str = "",
    representative_fiscal_code: str = "",
    client: str,
) -> int:
    """Validate the form, create the pending account and text the mobile a code.

    The SMS opens a flow of ``client`` (``backend.sms_budget``); over the budget nothing is
    kept (``SmsRefused``), so the registration can start again later from the beginning."""
    holder = validate_holder(
        fiscal_id,
        first_name=first_name,
        last_name=last_name,
        company_name=company_name,
        representative_fiscal_code=representative_fiscal_code,
    )
    email = validate_email(email)
    mobile = validate_mobile(mobile)
    with uow:
        existing = by_holder(uow, holder.fiscal_code, holder.representative_fiscal_code)
        _drop_abandoned_registration(uow, existing)
        _drop_abandoned_registration(uow, uow.accounts.first(email=email))
        account = add_account(uow, holder, email, mobile, status=AccountStatus.MOBILE_PENDING)
        _send_registration_code(uow, account, client, opens_flow=True)
        uow.commit()
        return account.id


def add_account(uow, holder: Holder, email: str, mobile: str, **fields) -> Account:
    """Add an account for validated holder data; ``fields`` set the status and the rest."""
    fields.setdefault("created_at", uow.now())
    account = Account(
        kind=holder.kind,
        first_name=holder.first_name,
        last_name=holder.last_name,
        company_name=holder.company_name,
        fiscal_code=holder.fiscal_code,
        representative_fiscal_code=holder.representative_fiscal_code,
        email=email,
        mobile=mobile,
        **fields,
    )
    return uow.accounts.add(account)


def add_active_account(uow, holder: Holder, email: str, mobile: str, password: str) -> Account:
    """An account as registration leaves it, contacts verified (demo data, test customers)."""
    now = uow.now()
    return add_account(
        uow,
        holder,
        email,
        mobile,
        status=AccountStatus.ACTIVE,
        mobile_verified_at=now,
        email_verified_at=now,
        clauses_accepted_at=now,
        password_hash=hash_password(uow.settings, password),
    )


def _send_registration_code(uow, account: Account, client: str, opens_flow: bool) -> None:
    if account.status == AccountStatus.MOBILE_PENDING:
        code = codes.issue(uow, account.id, CodePurpose.REGISTRATION_MOBILE)
        sms_budget.send_sms(
            uow,
            account.mobile,
            "sms_registration_code",
            client=client,
            flow=CodePurpose.REGISTRATION_MOBILE,
            opens_flow=opens_flow,
            code=code,
        )
    elif account.status == AccountStatus.EMAIL_PENDING:
        _send_email_code(uow, account)
    else:
        raise NotAllowed("In questa fase della registrazione non serve un codice.")


def _send_email_code(uow, account: Account) -> None:
    code = codes.issue(uow, account.id, CodePurpose.REGISTRATION_EMAIL)
    outbox.send_email(
        uow, account.email, "email_registration_code", name=account.display_name, code=code
    )


def resend_registration_code(uow, account_id: int, *, client: str) -> None:
    """Send a fresh code for the current step (SMS for the mobile, e-mail for the e-mail);
    a new SMS belongs to the flow ``client`` opened, for the SMS budget."""
    with uow:
        _send_registration_code(uow, _account(uow, account_id), client, opens_flow=False)
        uow.commit()


def correct_registration_contact(
    uow, account_id: int, *, client: str, email: str = "", mobile: str = ""
) -> AccountStatus:
    """A registration in progress with a corrected e-mail or mobile («ho sbagliato l'e-mail,
    è …»). The codes sent to the old one are void; a new mobile is verified again from its
    first code; a new e-mail gets its code at once if the mobile is verified already (else
    after it, as in the first run). All or nothing: a refused address, or an SMS over the
    budget (the new code belongs to the flow ``client`` opened), changes nothing."""
    with uow:
        account = _account(uow, account_id)
        if account.status == AccountStatus.ACTIVE:
            raise NotAllowed("La registrazione è già completata: i dati si cambiano dal profilo.")
        if email:
            email = validate_email(email)
            other = uow.accounts.first(email=email)
            if other is not None and other.id != account.id:
                _drop_abandoned_registration(uow, other)
            account.email, account.email_verified_at = email, None
            codes.void(uow, account.id, CodePurpose.REGISTRATION_EMAIL)
            if account.status != AccountStatus.MOBILE_PENDING:
                account.status = AccountStatus.EMAIL_PENDING
        if mobile:
            account.mobile, account.mobile_verified_at = validate_mobile(mobile), None
            account.email_verified_at = None  # the steps run in order: the e-mail follows
            codes.void(uow, account.id, CodePurpose.REGISTRATION_MOBILE)
            codes.void(uow, account.id, CodePurpose.REGISTRATION_EMAIL)
            account.status = AccountStatus.MOBILE_PENDING
        if mobile or account.status == AccountStatus.EMAIL_PENDING:
            _send_registration_code(uow, account, client, opens_flow=False)
        uow.commit()
        return AccountStatus(account.status)


# The registration steps confirmed with a code: status -> (code, time it stamps, next status).
_CODE_STEPS = {
    AccountStatus.MOBILE_PENDING: (
        CodePurpose.REGISTRATION_MOBILE,
        "mobile_verified_at",
        AccountStatus.EMAIL_PENDING,
    ),
    AccountStatus.EMAIL_PENDING: (
        CodePurpose.REGISTRATION_EMAIL,
        "email_verified_at",
        AccountStatus.CLAUSES_PENDING,
    ),
}


def _verify_step(uow, account_id: int, step: AccountStatus, code: str) -> AccountStatus:
    purpose, verified_at, next_status = _CODE_STEPS[step]
    with uow:
        account = _account(uow, account_id)
        account.require_status(step)
        codes.verify(uow, account.id, purpose, code)
        setattr(account, verified_at, uow.now())
        account.status = next_status
        if next_status == AccountStatus.EMAIL_PENDING:  # the next step wants its own code
            _send_email_code(uow, account)
        uow.commit()
        return AccountStatus(account.status)


def verify_mobile(uow, account_id: int, code: str) -> AccountStatus:
    return _verify_step(uow, account_id, AccountStatus.MOBILE_PENDING, code)


def verify_email(uow, account_id: int, code: str) -> AccountStatus:
    return _verify_step(uow, account_id, AccountStatus.EMAIL_PENDING, code)


def accept_clauses(uow, account_id: int) -> AccountStatus:
    with uow:
        account = _account(uow, account_id)
        account.require_status(AccountStatus.CLAUSES_PENDING)
        account.clauses_accepted_at = uow.now()
        account.status = AccountStatus.PASSWORD_PENDING
        uow.commit()
        return AccountStatus(account.status)


def set_password(uow, account_id: int, password: str) -> AccountStatus:
    """Last registration step: choose the password; the account becomes active."""
    validate_password(password)
    with uow:
        account = _account(uow, account_id)
        account.require_status(AccountStatus.PASSWORD_PENDING)
        # Choosing the first password is no change: the FAQ's once-a-day rule starts later.
        account.password_hash = hash_password(uow.settings, password)
        account.status = AccountStatus.ACTIVE
        outbox.send_email(uow, account.email, "email_welcome", name=account.display_name)
        uow.commit()
        return AccountStatus(account.status)


def change_password(uow, account: Account, password: str) -> None:
    """Keep the new password's hash and when it changed (at most once a day: ``credentials``)."""
    account.password_hash = hash_password(uow.settings, password)
    account.password_changed_at = uow.now()


# --- login -------------------------------------------------------------------------------


def login(uow, email: str, password: str) -> int:
    """Return the account id; repeated failures lock the account for a while."""
    with uow:
        account = active_by_email(uow, email)
        now = uow.now()
        if account and account.locked_until and account.locked_until > now:
            minutes = max(1, int((account.locked_until - now).total_seconds() // 60))
            raise Throttled(f"Troppi tentativi non riusciti: riprova tra {minutes} minuti.")
        if not verify_password(uow.settings, account.password_hash if account else None, password):
            _count_login_failure(uow, account)
            raise InvalidInput(WRONG_CREDENTIALS)
        account.failed_logins = 0
        account.locked_until = None
        audit.record(uow, "login", account.id)
        uow.commit()
        return account.id


def _count_login_failure(uow, account: Account | None) -> None:
    settings = uow.settings
    if account is not None:
        account.failed_logins += 1
        if account.failed_logins >= settings.login_max_failures:
            account.locked_until = uow.now() + timedelta(minutes=settings.login_lock_minutes)
            account.failed_logins = 0
    audit.record(uow, "login_failed", account.id if account else None)
    uow.commit()


# --- profile -----------------------------------------------------------------------------


def get_account(uow, account_id: int) -> Account:
    with uow:
        return _account(uow, account_id)


def delete_account(uow, account_id: int, password: str) -> None:
    """«Elimina Profilo»: the portal account goes, with what hangs on it (delegations given
    and received, the links to its supplies, uploads, transfer requests, communications)
    and its chat transcripts; the distributor's own records (PODs, practices) stay."""
    with uow:
        account = _account(uow, account_id)
        if not verify_password(uow.settings, account.password_hash, password):
            audit.record(uow, "account_delete_failed", account.id)
            uow.commit()
            raise InvalidInput("La password non è corretta: il profilo non è stato eliminato.")
        _forget_messages(uow, account)
        outbox.send_email(uow, account.email, "email_account_deleted", name=account.display_name)
        uow.accounts.delete(account)
        # Its chat transcripts too, in the tracker store (the scheduler's transcript_erasure).
        uow.transcript_erasures.add(
            TranscriptErasure(account_id=account_id, requested_at=uow.now())
        )
        audit.record(uow, "account_deleted", account_id)
        uow.commit()


def _forget_messages(uow, account: Account) -> None:
    """Drop the outbox copies of what was sent to the account (names, codes, addresses).

    A mobile number shared with another account keeps its messages: they are not only ours.
    """
    addresses = [account.email]
    if not [a for a in uow.accounts.find(mobile=account.mobile) if a.id != account.id]:
        addresses.append(account.mobile)
    for address in addresses:
        for message in uow.outbox.find(recipient=address):
            uow.outbox.delete(message)
