"""course_objectives

Module objectives, the objective each question measures, and the per-objective draw of a quiz.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 11:30:05.259597
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Modules imported before this revision have no objectives: they get an empty list, and the
    # default is dropped again so that the model (which sets it in Python) and the schema agree.
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("objectives", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.alter_column("objectives", server_default=None)

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("objective", sa.String(length=80), nullable=True))

    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draw_per_objective", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.drop_column("draw_per_objective")

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("objective")

    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.drop_column("objectives")
