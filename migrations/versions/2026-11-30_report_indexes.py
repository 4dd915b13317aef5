"""report indexes: a year's JP ledger per person, an instansi's people per unit

The 20-JP report (app/reports) sums one year of jp_entry per person and joins the people of
an instansi or a unit subtree. On jp_entry, (user_id, year) replaces the index on user_id
alone and (year, user_id) the one on year alone (each serves every query its predecessor
did); on PostgreSQL both carry jp and source, so the sum is read from the index in user
order, with no sort (at 100,000 people and 1,000,000 entries the planner took the plain
user_id index and visited every heap row). (instansi_id, unit_id) replaces the index on
instansi_id alone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jp_entry") as batch:
        batch.drop_index("ix_jp_entry_user_id")
        batch.drop_index("ix_jp_entry_year")
        batch.create_index(
            "ix_jp_entry_user_id_year",
            ["user_id", "year"],
            unique=False,
            postgresql_include=["jp", "source"],
        )
        batch.create_index(
            "ix_jp_entry_year_user_id",
            ["year", "user_id"],
            unique=False,
            postgresql_include=["jp", "source"],
        )
    with op.batch_alter_table("user_account") as batch:
        batch.drop_index("ix_user_account_instansi_id")
        batch.create_index(
            "ix_user_account_instansi_id_unit_id", ["instansi_id", "unit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_index("ix_user_account_instansi_id_unit_id")
        batch.create_index("ix_user_account_instansi_id", ["instansi_id"], unique=False)
    with op.batch_alter_table("jp_entry") as batch:
        batch.drop_index("ix_jp_entry_year_user_id")
        batch.drop_index("ix_jp_entry_user_id_year")
        batch.create_index("ix_jp_entry_year", ["year"], unique=False)
        batch.create_index("ix_jp_entry_user_id", ["user_id"], unique=False)
