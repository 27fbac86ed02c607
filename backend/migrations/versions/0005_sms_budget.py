"""sms_budget_entries: the SMS budget's ledger, per number, per client and per hour

Every SMS a flow asks for is a row here, written in the unit of work that queues it (or
refuses it): the limits count the last hour's rows (backend/sms_budget.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_budget_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("flow", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("opens_flow", sa.Boolean(), nullable=False),
        sa.Column("refused", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sms_budget_entries", schema=None) as batch_op:
        batch_op.create_index("ix_sms_budget_entries_client", ["client", "created_at"])
        batch_op.create_index("ix_sms_budget_entries_recipient", ["recipient", "created_at"])
        batch_op.create_index(
            batch_op.f("ix_sms_budget_entries_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sms_budget_entries")
