"""job_leases and transcript_erasures: the scheduler's leases, the transcripts still to erase

Two schedulers may run (a second replica, a rolling deploy): a job's lease row lets one run
it at a time. A deleted account's transcripts live in the tracker store's database; the
request to erase them is written with the deletion, so it is never lost.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 18:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_finished_at", sa.DateTime(), nullable=True),
        sa.Column("last_result", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "transcript_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("transcript_erasures")
    op.drop_table("job_leases")
