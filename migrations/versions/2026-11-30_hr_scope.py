"""hr scope: an HR role narrowed to a unit subtree; retirement date of a person

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 17:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_role") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_user_role_unit_id_unit"), "unit", ["unit_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("retired_on")
    with op.batch_alter_table("user_role") as batch:
        batch.drop_constraint(batch.f("fk_user_role_unit_id_unit"), type_="foreignkey")
        batch.drop_column("unit_id")
