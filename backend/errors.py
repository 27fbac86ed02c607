"""Errors that reach the user carry an Italian message the chat can show as it is."""

HELP_ONLINE = (
    "Usa il servizio Help OnLine per farti ricontattare oppure chiama il numero verde 803.500."
)


class BackendError(Exception):
    """Base of every error meant for the user; ``message_it`` is shown verbatim."""

    def __init__(self, message_it: str):
        super().__init__(message_it)
        self.message_it = message_it


class InvalidInput(BackendError):
    """The user typed something that does not satisfy a rule."""


class NotFound(BackendError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class NotAllowed(BackendError):
    """The caller may not do this now (wrong state, wrong owner, too soon)."""


class CodeRejected(BackendError):
    """A verification code is wrong, expired, used up or was never issued.

    ``attempts_left`` counts the tries left on a wrong code of a known account; callers
    that already know who the user is may show it (to others it would reveal the account).
    """

    def __init__(self, message_it: str, attempts_left: int | None = None):
        super().__init__(message_it)
        self.attempts_left = attempts_left


class Throttled(BackendError):
    """Too many attempts or requests; try again later."""


class Conflict(BackendError):
    """The data clashes with something already stored (e.g. a registered e-mail)."""


class DelegationEnded(NotAllowed):
    """A delegate acts for someone whose delegation is no longer active (expired, suspended,
    revoked, or the delegator's account deleted): acting for them ends at once."""
