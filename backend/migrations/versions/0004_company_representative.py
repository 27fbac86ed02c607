"""accounts.representative_fiscal_code: a company registers once per legal representative

FAQ 10 has a company's new legal representative register the company again, with their own
fiscal data and the company's: an account is unique by its fiscal code *and* its
representative's (empty for a person), no longer by its fiscal code alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite reflects 0001's unnamed unique constraint without a name: batch mode names it so.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    postgres = op.get_bind().dialect.name == "postgresql"
    return "accounts_fiscal_code_key" if postgres else "uq_accounts_fiscal_code"


def upgrade() -> None:
    with op.batch_alter_table("accounts", naming_convention=NAMING) as batch_op:
        batch_op.add_column(
            sa.Column(
                "representative_fiscal_code",
                sa.String(length=16),
                nullable=False,
                server_default="",
            )
        )
        batch_op.drop_constraint(_old_unique(), type_="unique")
        batch_op.create_unique_constraint(
            "uq_accounts_holder", ["fiscal_code", "representative_fiscal_code"]
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint("uq_accounts_holder", type_="unique")
        batch_op.create_unique_constraint(_old_unique(), ["fiscal_code"])
        batch_op.drop_column("representative_fiscal_code")
