"""Names `make lint`'s dead-code check (vulture) cannot see being used.

vulture reads only the programs (actions, backend, bot, console), not the tests: a function
only tests call is dead code. What is listed here is used from outside Python's reach (a
framework calling it by name, a template, the database) or kept for a feature on its way;
each entry says which. pyproject.toml's [tool.vulture] ignores the names frameworks look
up by pattern (rasa-sdk's forms and actions, typer commands, Alembic migrations).
"""

from backend.clock import ManualClock
from backend.entities import (
    Account,
    CallbackRequest,
    Delegation,
    HandoverNote,
    LiveChat,
    OutboxMessage,
    StaffLoginAttempts,
    StaffRole,
    StaffSessionRecord,
    Supply,
    TranscriptErasure,
)
from backend.handovers import Note, Ticket
from backend.logs import JsonFormatter
from backend.settings import Settings
from backend.sms_budget import Summary
from bot.channels.telegram.webhook import uvicorn
from bot.rasa_plugins.lock_store import SportelloLockStore, _UrlRedisLockStore
from bot.rasa_plugins.nlu import (
    GuardedLogisticRegressionClassifier,
    ItalianTokenizer,
    WeightedCountVectorsFeaturizer,
)
from bot.rasa_plugins.tracker_store import SportelloTrackerStore
from console.analytics import Funnel, Report
from console.conversation_outcomes import _ConversationBuilder
from console.conversations import ConversationRow
from console.live_timeouts import LIVE_TIMEOUTS
from console.pages import SecurityHeaders
from console.retention import TRANSCRIPT_ERASURE, TRANSCRIPT_RETENTION

# Columns written for the record (audit, support, the database's own queries), read by no
# Python code.
Account.email_verified_at
Account.clauses_accepted_at
Delegation.clauses_accepted_at
CallbackRequest.closed_at
OutboxMessage.last_error
Supply.linked_at
StaffLoginAttempts.username_hash
TranscriptErasure.requested_at
LiveChat.end_reason

# The scheduler's jobs that the console registers (pyproject.toml, entry points
# "sportello.jobs"), and the intervals backend/jobs.py reads by each job's setting name.
TRANSCRIPT_ERASURE
TRANSCRIPT_RETENTION
Settings.job_delegation_expiry_minutes
Settings.job_upload_purge_minutes
Settings.job_cleanup_minutes
Settings.job_transcript_erasure_minutes
Settings.job_transcript_retention_minutes
LIVE_TIMEOUTS
Settings.job_live_timeouts_minutes
StaffSessionRecord.token_hash
HandoverNote.callback_id
StaffRole.AGENT  # the CLI's default role, typed as a string

# Fields the console's Jinja templates read.
Note.author
Ticket.closed
Funnel.completed
Funnel.abandoned
Funnel.abandoned_at
Report.containment
Report.fallback_rate
ConversationRow.outcome_it
Summary.hourly_budget
Summary.left_this_hour

# Rasa loads these by the names in config.yml and endpoints.yml, and calls their hooks.
SportelloLockStore
SportelloLockStore.__init__.endpoint_config
_UrlRedisLockStore.red
_UrlRedisLockStore.key_prefix
SportelloTrackerStore
SportelloTrackerStore.retrieve
ItalianTokenizer.get_default_config
ItalianTokenizer.create.model_storage
ItalianTokenizer.create.resource
ItalianTokenizer.create.execution_context
ItalianTokenizer.tokenize
GuardedLogisticRegressionClassifier
WeightedCountVectorsFeaturizer  # named in config.yml

# Handlers _ConversationBuilder.add finds by the event's type name.
_ConversationBuilder._user
_ConversationBuilder._bot
_ConversationBuilder._action
_ConversationBuilder._slot
_ConversationBuilder._active_loop

# Starlette, uvicorn and logging hooks.
JsonFormatter.format
SecurityHeaders.dispatch
uvicorn.Server.should_exit

# The tests' clock, beside the real one it stands in for.
ManualClock
ManualClock.advance
