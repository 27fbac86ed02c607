"""live_chats, live_messages, operator_presence: a customer talks now with an operator

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("last_customer_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["callback_id"],
            ["callback_requests.id"],
            name="fk_live_chats_callback_id",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["staff_users.id"],
            name="fk_live_chats_operator_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_live_chats_sender_id"), "live_chats", ["sender_id"])
    op.create_index(op.f("ix_live_chats_state"), "live_chats", ["state"])
    op.create_table(
        "live_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("operator_name", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["chat_id"], ["live_chats.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_live_messages_chat_id"), "live_messages", ["chat_id"])
    op.create_index(op.f("ix_live_messages_sender_id"), "live_messages", ["sender_id"])
    op.create_table(
        "operator_presence",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("staff_id"),
    )


def downgrade() -> None:
    op.drop_table("operator_presence")
    op.drop_index(op.f("ix_live_messages_sender_id"), table_name="live_messages")
    op.drop_index(op.f("ix_live_messages_chat_id"), table_name="live_messages")
    op.drop_table("live_messages")
    op.drop_index(op.f("ix_live_chats_state"), table_name="live_chats")
    op.drop_index(op.f("ix_live_chats_sender_id"), table_name="live_chats")
    op.drop_table("live_chats")
