"""ratings: 👍 / 👎 and an optional comment on a completed task or an operator's hand-over

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("live_chat_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["live_chat_id"],
            ["live_chats.id"],
            name="fk_ratings_live_chat_id",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("live_chat_id"),
    )
    op.create_index(op.f("ix_ratings_created_at"), "ratings", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ratings_created_at"), table_name="ratings")
    op.drop_table("ratings")
