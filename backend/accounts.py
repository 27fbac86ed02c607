"""Accounts: registration step by step, login, password reset, username recovery and
change, deletion.

Reset and recovery never reveal whether an account exists: they answer in the same shape
and do comparable work (hashing, rendering) either way.
"""

import hashlib
import hmac
import string
from datetime import timedelta

from backend import audit, codes, outbox
from backend.errors import (
    HELP_ONLINE,
    CodeRejected,
    Conflict,
    InvalidInput,
    NotAllowed,
    NotFound,
    Throttled,
)
from backend.masking import mask_email, mask_phone
from backend.models import Account, AccountStatus, CodePurpose
from backend.passwords import hash_password, verify_password
from backend.validators import (
    Holder,
    classify_fiscal_id,
    validate_email,
    validate_holder,
    validate_mobile,
    validate_password,
)

WRONG_CREDENTIALS = "Username o password non corretti."
WRONG_LOGIN_CODE = (
    "Il codice non è corretto o non è più valido. Controlla l'SMS, oppure scrivi "
    "«mandami un codice» per riceverne uno nuovo."
)


def _account(uow, account_id: int) -> Account:
    account = uow.accounts.get(account_id)
    if account is None:
        raise NotFound("Utenza non trovata.")
    return account


def _active_by_email(uow, email: str) -> Account | None:
    account = uow.accounts.first(email=email.strip().lower())
    return account if account and account.status == AccountStatus.ACTIVE else None


def _active_by_fiscal_code(uow, fiscal_id: str) -> Account | None:
    _, number = classify_fiscal_id(fiscal_id)
    account = uow.accounts.first(fiscal_code=number)
    return account if account and account.status == AccountStatus.ACTIVE else None


def _drop_abandoned_registration(uow, existing: Account | None) -> None:
    if existing is None:
        return
    if existing.status == AccountStatus.ACTIVE:
        raise Conflict(
            "Esiste già un'utenza con questi dati. Se non ricordi le credenziali usa "
            '"Recupera dati".'
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
) -> int:
    """Validate the form, create the pending account and text the mobile a code."""
    holder = validate_holder(
        fiscal_id, first_name=first_name, last_name=last_name, company_name=company_name
    )
    email = validate_email(email)
    mobile = validate_mobile(mobile)
    with uow:
        _drop_abandoned_registration(uow, uow.accounts.first(fiscal_code=holder.fiscal_code))
        _drop_abandoned_registration(uow, uow.accounts.first(email=email))
        account = add_account(uow, holder, email, mobile, status=AccountStatus.MOBILE_PENDING)
        _send_registration_code(uow, account)
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


def _send_registration_code(uow, account: Account) -> None:
    if account.status == AccountStatus.MOBILE_PENDING:
        code = codes.issue(uow, account.id, CodePurpose.REGISTRATION_MOBILE)
        outbox.send_sms(uow, account.mobile, "sms_registration_code", code=code)
    elif account.status == AccountStatus.EMAIL_PENDING:
        code = codes.issue(uow, account.id, CodePurpose.REGISTRATION_EMAIL)
        outbox.send_email(
            uow, account.email, "email_registration_code", name=account.display_name, code=code
        )
    else:
        raise NotAllowed("In questa fase della registrazione non serve un codice.")


def resend_registration_code(uow, account_id: int) -> None:
    """Send a fresh code for the current step (SMS for the mobile, e-mail for the e-mail)."""
    with uow:
        _send_registration_code(uow, _account(uow, account_id))
        uow.commit()


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
        if next_status in _CODE_STEPS:  # the next step wants its own code
            _send_registration_code(uow, account)
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
        _store_password(uow, account, password)
        account.status = AccountStatus.ACTIVE
        outbox.send_email(uow, account.email, "email_welcome", name=account.display_name)
        uow.commit()
        return AccountStatus(account.status)


def _store_password(uow, account: Account, password: str) -> None:
    account.password_hash = hash_password(uow.settings, password)
    account.password_changed_at = uow.now()


# --- login -------------------------------------------------------------------------------


def login(uow, email: str, password: str) -> int:
    """Return the account id; repeated failures lock the account for a while."""
    with uow:
        account = _active_by_email(uow, email)
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


def request_login_code(uow, email: str) -> None:
    """Text a login code to the validated mobile; silent and alike when there is none."""
    with uow:
        account = _active_by_email(uow, email)
        if account is None or account.mobile_verified_at is None:
            codes.decoy_issue(uow, "sms_login_code")
            audit.record(uow, "login_code_requested", None)  # and a write, like the real one
            uow.commit()
            return
        try:
            code = codes.issue(uow, account.id, CodePurpose.LOGIN)
        except Throttled:
            audit.record(uow, "login_code_throttled", account.id)
            uow.commit()
            return
        outbox.send_sms(uow, account.mobile, "sms_login_code", code=code)
        audit.record(uow, "login_code_requested", account.id)
        uow.commit()


def login_with_code(uow, email: str, code: str) -> int:
    """Return the account id for the code texted by ``request_login_code``."""
    with uow:
        account = _active_by_email(uow, email)
        try:
            if account is None:
                codes.reject_unknown(uow, code)
            codes.verify(uow, account.id, CodePurpose.LOGIN, code)
        except CodeRejected:  # wrong, expired or used up: one answer, whoever asks
            raise CodeRejected(WRONG_LOGIN_CODE) from None
        account.failed_logins = 0
        account.locked_until = None
        audit.record(uow, "login", account.id, method="code")
        uow.commit()
        return account.id


# --- password reset ----------------------------------------------------------------------


def request_password_reset(uow, email: str) -> None:
    """E-mail a reset code if the address belongs to an account; silent either way."""
    with uow:
        account = _active_by_email(uow, email)
        if account is None:
            codes.decoy_issue(uow, "email_password_reset")
            audit.record(uow, "password_reset_requested", None)  # and a write, like the real one
            uow.commit()
            return
        try:
            code = codes.issue(uow, account.id, CodePurpose.PASSWORD_RESET)
        except Throttled:
            audit.record(uow, "password_reset_throttled", account.id)
            uow.commit()
            return
        outbox.send_email(
            uow, account.email, "email_password_reset", name=account.display_name, code=code
        )
        audit.record(uow, "password_reset_requested", account.id)
        uow.commit()


def reset_password(uow, email: str, code: str, new_password: str) -> None:
    """Set a new password with the e-mailed code; at most one change every 24 hours."""
    validate_password(new_password)
    with uow:
        account = _active_by_email(uow, email)
        if account is None:
            codes.reject_unknown(uow, code)
        codes.verify(uow, account.id, CodePurpose.PASSWORD_RESET, code)
        _change_password(uow, account, new_password)
        uow.commit()


def _require_password_changeable(uow, account: Account) -> None:
    hours = uow.settings.password_change_hours
    changed = account.password_changed_at
    if changed and uow.now() - changed < timedelta(hours=hours):
        raise NotAllowed(
            f"Puoi modificare la password solo una volta ogni {hours} ore: l'hai già "
            f"cambiata nelle ultime {hours} ore. Riprova più tardi."
        )


def _change_password(uow, account: Account, new_password: str) -> None:
    _require_password_changeable(uow, account)
    _store_password(uow, account, new_password)
    account.failed_logins = 0
    account.locked_until = None
    outbox.send_email(uow, account.email, "email_password_changed", name=account.display_name)
    audit.record(uow, "password_reset", account.id)


# The chat asks the code first and the new password after: the code is spent at its own
# step and leaves a short-lived grant bound to the conversation (``holder``).


def verify_password_reset_code(uow, email: str, code: str, holder: str) -> None:
    """Check the e-mailed code; ``NotAllowed`` when the password changed in the last 24 h."""
    with uow:
        account = _active_by_email(uow, email)
        if account is None:
            codes.reject_unknown(uow, code)
        codes.verify(uow, account.id, CodePurpose.PASSWORD_RESET, code)
        _require_password_changeable(uow, account)
        codes.grant(uow, account.id, CodePurpose.PASSWORD_RESET, holder)
        uow.commit()


def reset_password_with_grant(uow, email: str, holder: str, new_password: str) -> None:
    """Set the new password for the holder of a grant left by ``verify_password_reset_code``."""
    validate_password(new_password)
    with uow:
        account = _active_by_email(uow, email)
        if account is None:
            raise CodeRejected(codes.GRANT_EXPIRED)
        grant = codes.granted(uow, account.id, CodePurpose.PASSWORD_RESET, holder)
        _change_password(uow, account, new_password)
        codes.use_grant(uow, grant)
        uow.commit()


# --- username recovery and change --------------------------------------------------------


def recover_username(uow, fiscal_id: str) -> str:
    """The account's e-mail, masked; a stable decoy when no account has these fiscal data."""
    with uow:
        account = _active_by_fiscal_code(uow, fiscal_id)
        if account is None:
            return _decoy_masked_email(uow, fiscal_id)
        return mask_email(account.email)


def _decoy(uow, seed: str) -> bytes:
    key = uow.settings.secret_key.encode()
    _, number = classify_fiscal_id(seed)  # one decoy per person, however it is typed
    return hmac.new(key, number.encode(), hashlib.sha256).digest()


def _decoy_masked_email(uow, fiscal_id: str) -> str:
    d = _decoy(uow, fiscal_id)
    letters = string.ascii_lowercase
    domain = ["gmail.com", "libero.it", "hotmail.it", "yahoo.it", "alice.it"][d[2] % 5]
    return mask_email(f"{letters[d[0] % 26]}x{letters[d[1] % 26]}@{domain}")


def request_username_change(uow, fiscal_id: str) -> str:
    """Text a code to the validated mobile; return the mobile masked.

    Without a validated mobile the user is pointed to Help Online / 803.500.
    """
    with uow:
        account = _active_by_fiscal_code(uow, fiscal_id)
        if account is None:
            codes.decoy_issue(uow, "sms_username_change")
            audit.record(uow, "username_change_requested", None)
            uow.commit()
            digits = int.from_bytes(_decoy(uow, fiscal_id)[:2]) % 100
            return mask_phone(f"+39333{digits:07d}")
        if account.mobile_verified_at is None:
            raise NotAllowed(
                "Per modificare la username serve un cellulare già validato sul portale. "
                + HELP_ONLINE
            )
        try:
            code = codes.issue(uow, account.id, CodePurpose.USERNAME_CHANGE)
        except Throttled:
            return mask_phone(account.mobile)
        outbox.send_sms(uow, account.mobile, "sms_username_change", code=code)
        audit.record(uow, "username_change_requested", account.id)
        uow.commit()
        return mask_phone(account.mobile)


def change_username(uow, fiscal_id: str, code: str, new_email: str) -> None:
    """With the code texted to the mobile, the new e-mail becomes the username."""
    new_email = validate_email(new_email)
    with uow:
        account = _active_by_fiscal_code(uow, fiscal_id)
        if account is None:
            codes.reject_unknown(uow, code)
        codes.verify(uow, account.id, CodePurpose.USERNAME_CHANGE, code)
        _set_username(uow, account, new_email)
        uow.commit()


def _set_username(uow, account: Account, new_email: str) -> None:
    if uow.accounts.first(email=new_email) is not None:
        raise Conflict("Questa e-mail è già usata da un'altra utenza: scegline un'altra.")
    old_email = account.email
    account.email = new_email
    outbox.send_email(
        uow,
        old_email,
        "email_username_changed",
        name=account.display_name,
        email=mask_email(new_email),
    )
    outbox.send_email(
        uow, new_email, "email_username_changed", name=account.display_name, email=new_email
    )
    audit.record(uow, "username_changed", account.id)


def verify_username_change_code(uow, fiscal_id: str, code: str, holder: str) -> None:
    """Check the code texted to the mobile; leaves a grant for ``change_username_with_grant``."""
    with uow:
        account = _active_by_fiscal_code(uow, fiscal_id)
        if account is None:
            codes.reject_unknown(uow, code)
        codes.verify(uow, account.id, CodePurpose.USERNAME_CHANGE, code)
        codes.grant(uow, account.id, CodePurpose.USERNAME_CHANGE, holder)
        uow.commit()


def change_username_with_grant(uow, fiscal_id: str, holder: str, new_email: str) -> None:
    """The new e-mail becomes the username, for the holder of a grant."""
    new_email = validate_email(new_email)
    with uow:
        account = _active_by_fiscal_code(uow, fiscal_id)
        if account is None:
            raise CodeRejected(codes.GRANT_EXPIRED)
        grant = codes.granted(uow, account.id, CodePurpose.USERNAME_CHANGE, holder)
        _set_username(uow, account, new_email)
        codes.use_grant(uow, grant)
        uow.commit()


# --- profile -----------------------------------------------------------------------------


def get_account(uow, account_id: int) -> Account:
    with uow:
        return _account(uow, account_id)


def delete_account(uow, account_id: int, password: str) -> None:
    """ "Elimina Profilo": personal data go; delegations and supplies go with them."""
    with uow:
        account = _account(uow, account_id)
        if not verify_password(uow.settings, account.password_hash, password):
            audit.record(uow, "account_delete_failed", account.id)
            uow.commit()
            raise InvalidInput("La password non è corretta: il profilo non è stato eliminato.")
        _forget_messages(uow, account)
        outbox.send_email(uow, account.email, "email_account_deleted", name=account.display_name)
        uow.accounts.delete(account)
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
