"""import batch keeps its bad rows

The errors download of a previewed import reads the rows kept at upload time instead of
parsing the uploaded file again; a committed batch keeps only these rows.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bad_rows", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("bad_rows")
