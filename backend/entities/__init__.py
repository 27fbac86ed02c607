"""Persistent model of the portal, one module per aggregate.

The classes carry the domain rules that need no database (state changes, expiry);
queries live in the repositories of ``backend.uow``. Foreign keys cascade in the
database so deleting an account removes what belongs to it. Importing this package
registers every table on ``Base.metadata`` (what Alembic compares against).
"""

from backend.entities.accounts import Account, AccountStatus, CustomerKind
from backend.entities.audit import AuditEvent
from backend.entities.base import Base
from backend.entities.callbacks import CallbackOutcome, CallbackRequest, CallbackStatus
from backend.entities.codes import CodePurpose, VerificationCode
from backend.entities.delegations import (
    DELEGATION_STATUS_IT,
    Delegation,
    DelegationStatus,
    Document,
)
from backend.entities.jobs import JobLease, TranscriptErasure
from backend.entities.live_chats import (
    Author,
    LiveChat,
    LiveChatEnd,
    LiveChatState,
    LiveMessage,
    OperatorPresence,
)
from backend.entities.outbox import Channel, OutboxMessage, OutboxStatus
from backend.entities.practices import Communication, Practice, PracticeTransfer, TransferStatus
from backend.entities.ratings import MAX_COMMENT, RatedSubject, Rating
from backend.entities.sms_budget import SmsBudgetEntry, SmsLimit
from backend.entities.staff import (
    HandoverNote,
    StaffLoginAttempts,
    StaffRole,
    StaffSessionRecord,
    StaffUser,
    TrainingMark,
)
from backend.entities.supplies import Pod, Supply

__all__ = [
    "Author",
    "LiveChat",
    "LiveChatEnd",
    "LiveChatState",
    "LiveMessage",
    "OperatorPresence",
    "JobLease",
    "TranscriptErasure",
    "Account",
    "AccountStatus",
    "AuditEvent",
    "Base",
    "CallbackOutcome",
    "CallbackRequest",
    "CallbackStatus",
    "Channel",
    "CodePurpose",
    "Communication",
    "CustomerKind",
    "DELEGATION_STATUS_IT",
    "Delegation",
    "DelegationStatus",
    "Document",
    "HandoverNote",
    "OutboxMessage",
    "OutboxStatus",
    "Pod",
    "Practice",
    "MAX_COMMENT",
    "RatedSubject",
    "Rating",
    "PracticeTransfer",
    "SmsBudgetEntry",
    "SmsLimit",
    "StaffLoginAttempts",
    "StaffRole",
    "StaffSessionRecord",
    "StaffUser",
    "Supply",
    "TrainingMark",
    "TransferStatus",
    "VerificationCode",
]
