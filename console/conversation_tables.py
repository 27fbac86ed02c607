"""The tables of the staff console's conversation index, in the tracker store's database.

Rasa's `events` table is the source of truth; reading it for every list, search or chart
would mean parsing every event's JSON. The `console_*` tables are a derived cache of it:
one row per conversation, per message (its text normalised for search), per flow run and
per intent seen. Dropping them only costs a rebuild (`ConversationIndex.catch_up`).
"""

import unicodedata

import sqlalchemy as sa

metadata = sa.MetaData()

# Rasa's SQLTrackerStore.SQLEvent, with the indexes Rasa and our tracker store give it.
EVENTS = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
    sa.Index("ix_events_sender_id_id", "sender_id", "id"),
)

CONVERSATIONS = sa.Table(
    "console_conversations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("last_at", sa.Float, nullable=False),
    sa.Column("user_messages", sa.Integer, nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("fallbacks", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    # The first user message in full: the console masks it before cutting it short.
    sa.Column("preview", sa.Text, nullable=False),
    sa.Index("ix_console_conversations_sender_id_id", "sender_id", "id"),
    sa.Index("ix_console_conversations_started_at", "started_at"),
)

MESSAGES = sa.Table(
    "console_messages",
    metadata,
    sa.Column("event_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("conversation_id", sa.Integer, nullable=False, index=True),
    sa.Column("who", sa.String(8), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # normalised: see `normalise`
    sa.Column("fallback", sa.Boolean, nullable=False),  # a user message not understood
)

FLOWS = sa.Table(
    "console_flows",
    metadata,
    # The id of the event that activated the form.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("conversation_id", sa.Integer, nullable=False, index=True),
    sa.Column("form", sa.String(255), nullable=False),
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # completed, abandoned, active
    sa.Column("last_step", sa.String(255)),  # the last slot the form asked for
)

INTENTS = sa.Table(
    "console_intents",
    metadata,
    sa.Column("conversation_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("intent", sa.String(255), primary_key=True),
    sa.Index("ix_console_intents_intent", "intent", "conversation_id"),
)

# One row: the id of the last event indexed.
WATERMARK = sa.Table(
    "console_watermark",
    metadata,
    sa.Column("name", sa.String(16), primary_key=True),
    sa.Column("last_event_id", sa.Integer, nullable=False),
)
WATERMARK_NAME = "events"

DERIVED = (MESSAGES, FLOWS, INTENTS, CONVERSATIONS)  # children first


def normalise(text: str) -> str:
    """Lower case, accents stripped, spaces collapsed: "Perché NON" -> "perche non"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())
