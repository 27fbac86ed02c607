"""Persistent model of the portal, one module per aggregate.

The classes carry the domain rules that need no database (state changes, expiry);
queries live in the repositories of ``backend.uow``. Foreign keys cascade in the
database so deleting an account removes what belongs to it. Importing this package
registers every table on ``Base.metadata`` (what Alembic compares against).
"""

from backend.models.accounts import Account, AccountStatus, CustomerKind
from backend.models.audit import AuditEvent
from backend.models.base import Base
from backend.models.callbacks import CallbackOutcome, CallbackRequest, CallbackStatus
from backend.models.codes import CodePurpose, VerificationCode
from backend.models.delegations import DELEGATION_STATUS_IT, Delegation, DelegationStatus, Document
from backend.models.jobs import JobLease, TranscriptErasure
from backend.models.outbox import Channel, OutboxMessage, OutboxStatus
from backend.models.practices import Communication, Practice, PracticeTransfer, TransferStatus
from backend.models.sms_budget import SmsBudgetEntry, SmsLimit
from backend.models.staff import (
    HandoverNote,
    StaffLoginAttempts,
    StaffRole,
    StaffSessionRecord,
    StaffUser,
    TrainingMark,
)
from backend.models.supplies import Pod, Supply

__all__ = [
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
