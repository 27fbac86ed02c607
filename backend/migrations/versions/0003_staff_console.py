"""staff console: operators disabled, login throttling, sessions, hand-over queue, training marks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 13:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tickets that came from a conversation and the operator working them.
TICKET_TABLES = ("callback_requests", "practice_transfers")


def upgrade() -> None:
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(), nullable=True))
    op.create_table(
        "staff_login_attempts",
        sa.Column("username_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("username_hash"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "handover_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("callback_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["callback_id"], ["callback_requests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["transfer_id"], ["practice_transfers.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_handover_notes_callback_id"), ["callback_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_handover_notes_transfer_id"), ["transfer_id"], unique=False
        )

    op.create_table(
        "training_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )

    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=True))
    for table in TICKET_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sender_id", sa.String(length=255), nullable=True))
            batch_op.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_assigned_to",
                "staff_users",
                ["assigned_to"],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade() -> None:
    for table in TICKET_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_assigned_to", type_="foreignkey")
            batch_op.drop_column("assigned_to")
            batch_op.drop_column("sender_id")
    with op.batch_alter_table("callback_requests", schema=None) as batch_op:
        batch_op.drop_column("outcome")

    op.drop_table("training_marks")
    with op.batch_alter_table("handover_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handover_notes_transfer_id"))
        batch_op.drop_index(batch_op.f("ix_handover_notes_callback_id"))

    op.drop_table("handover_notes")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_staff_id"))

    op.drop_table("staff_sessions")
    op.drop_table("staff_login_attempts")
    with op.batch_alter_table("staff_users", schema=None) as batch_op:
        batch_op.drop_column("disabled_at")
