"""Forgotten or changed credentials: password reset, username recovery and change.

Both changes follow one pattern, "code, then grant" (``_CodeThenGrant``). The password
reset never reveals whether an e-mail is registered: it answers in the same shape and does
comparable work (hashing, rendering, a write) either way. Username recovery starts from
fiscal data, which registration reveals anyway («Esiste già un'utenza con questi dati»): it
says plainly when no account has them rather than show an invented address (FAQ 7).
"""

from dataclasses import dataclass
from datetime import timedelta

from backend import audit, codes, outbox
from backend.accounts import active_by_email, by_holder, change_password
from backend.entities import Account, AccountStatus, Channel, CodePurpose
from backend.errors import HELP_ONLINE, CodeRejected, Conflict, NotAllowed, NotFound
from backend.masking import mask_email, mask_phone
from backend.validators import (
    classify_fiscal_id,
    validate_email,
    validate_fiscal_code,
    validate_password,
)

NO_ACCOUNT = "Non risulta nessuna utenza registrata con questi dati."


def _active_holder(uow, fiscal_id: str, representative: str = "") -> Account | None:
    """The active account of a person, or of a company as ``representative`` registered it."""
    _, number = classify_fiscal_id(fiscal_id)
    representative = validate_fiscal_code(representative) if representative else ""
    account = by_holder(uow, number, representative)
    return account if account and account.status == AccountStatus.ACTIVE else None


def _registered_holder(uow, fiscal_id: str, representative: str) -> Account:
    account = _active_holder(uow, fiscal_id, representative)
    if account is None:
        raise NotFound(NO_ACCOUNT)
    return account


@dataclass(frozen=True)
class _CodeThenGrant(codes.CodeMessage):
    """A change confirmed by a code sent to the account (``send``), made at a later step.

    The chat asks the code first and the new value after: the code is spent at its own step
    and leaves a short-lived grant bound to the conversation (``holder``) that the last step
    uses. An unknown account gets the same answers after comparable work.
    """

    def grant(self, uow, account: Account | None, code: str, holder: str, check=None) -> None:
        """Spend the code and leave ``holder`` a grant; ``check(account)`` runs in between."""
        if account is None:
            codes.reject_unknown(uow, code)
        codes.verify(uow, account.id, self.purpose, code)
        if check is not None:
            check(account)
        codes.grant(uow, account.id, self.purpose, holder)

    def use_grant(self, uow, account: Account | None, holder: str, change) -> None:
        """Make the ``change(account)`` the holder's grant allows, spending the grant."""
        if account is None:
            raise CodeRejected(codes.GRANT_EXPIRED)
        grant = codes.granted(uow, account.id, self.purpose, holder)
        change(account)
        codes.use_grant(uow, grant)


_PASSWORD_RESET = _CodeThenGrant(
    CodePurpose.PASSWORD_RESET, Channel.EMAIL, "email_password_reset", "password_reset"
)
_USERNAME_CHANGE = _CodeThenGrant(
    CodePurpose.USERNAME_CHANGE, Channel.SMS, "sms_username_change", "username_change"
)


def request_password_reset(uow, email: str) -> None:
    """E-mail a reset code if the address belongs to an account; silent either way."""
    with uow:
        _PASSWORD_RESET.send(uow, active_by_email(uow, email))
        uow.commit()


def verify_password_reset_code(uow, email: str, code: str, holder: str) -> None:
    """Check the e-mailed code; ``NotAllowed`` when the password changed in the last 24 h."""
    with uow:
        account = active_by_email(uow, email)
        _PASSWORD_RESET.grant(
            uow, account, code, holder, check=lambda a: _require_password_changeable(uow, a)
        )
        uow.commit()


def reset_password_with_grant(uow, email: str, holder: str, new_password: str) -> None:
    """Set the new password for the holder of a grant left by ``verify_password_reset_code``."""
    validate_password(new_password)
    with uow:
        _PASSWORD_RESET.use_grant(
            uow,
            active_by_email(uow, email),
            holder,
            lambda account: _change_password(uow, account, new_password),
        )
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
    change_password(uow, account, new_password)
    account.failed_logins = 0
    account.locked_until = None
    outbox.send_email(uow, account.email, "email_password_changed", name=account.display_name)
    audit.record(uow, "password_reset", account.id)


def recover_username(uow, fiscal_id: str, representative: str = "") -> str:
    """The account's e-mail, masked; ``NotFound`` when no account has these fiscal data."""
    with uow:
        return mask_email(_registered_holder(uow, fiscal_id, representative).email)


def request_username_change(
    uow, fiscal_id: str, representative: str = "", *, client: str, resend: bool = False
) -> str:
    """Text a code to the validated mobile; return the mobile masked.

    Without a validated mobile the user is pointed to Help OnLine / 803.500; ``Throttled``
    when a code went out just now, so that the chat never says one was sent when it was not,
    and ``SmsRefused`` over the SMS budget of ``client`` (a ``resend`` opens no new flow).
    """
    with uow:
        account = _registered_holder(uow, fiscal_id, representative)
        if account.mobile_verified_at is None:
            raise NotAllowed(
                "Per modificare la username serve un cellulare già validato sul portale. "
                + HELP_ONLINE
            )
        _USERNAME_CHANGE.deliver(uow, account, client=client, opens_flow=not resend)
        uow.commit()
        return mask_phone(account.mobile)


def verify_username_change_code(
    uow, fiscal_id: str, representative: str, code: str, holder: str
) -> None:
    """Check the code texted to the mobile; leaves a grant for ``change_username_with_grant``."""
    with uow:
        account = _active_holder(uow, fiscal_id, representative)
        _USERNAME_CHANGE.grant(uow, account, code, holder)
        uow.commit()


def change_username_with_grant(
    uow, fiscal_id: str, representative: str, holder: str, new_email: str
) -> None:
    """The new e-mail becomes the username, for the holder of a grant."""
    new_email = validate_email(new_email)
    with uow:
        _USERNAME_CHANGE.use_grant(
            uow,
            _active_holder(uow, fiscal_id, representative),
            holder,
            lambda account: _set_username(uow, account, new_email),
        )
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
