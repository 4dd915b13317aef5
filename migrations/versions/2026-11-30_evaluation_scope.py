"""evaluation scope: the instansi of the learner who filled an evaluation, so that HR reads
only her own instansi's responses (app/analytics/evaluations.py)

Revision ID: 0016
Revises: 0014
Create Date: 2026-11-30 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite the foreign key makes batch mode rebuild the table: it must stay WITHOUT ROWID
# (app/models/evaluation.py says why). PostgreSQL alters it in place and ignores this.
_TABLE_KWARGS = {"sqlite_with_rowid": False}


def upgrade() -> None:
    # Existing responses keep NULL: nothing says which instansi they came from, and guessing
    # from the receipts would join each response to its learner. Admins still see them.
    with op.batch_alter_table("evaluation_response", table_kwargs=_TABLE_KWARGS) as batch:
        batch.add_column(sa.Column("instansi_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_evaluation_response_instansi_id_instansi"),
            "instansi",
            ["instansi_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.drop_index(batch.f("ix_evaluation_response_course_id"))
        batch.create_index(
            "ix_evaluation_response_course_id_instansi_id", ["course_id", "instansi_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluation_response", table_kwargs=_TABLE_KWARGS) as batch:
        batch.drop_index("ix_evaluation_response_course_id_instansi_id")
        batch.create_index(batch.f("ix_evaluation_response_course_id"), ["course_id"])
        batch.drop_constraint(
            batch.f("fk_evaluation_response_instansi_id_instansi"), type_="foreignkey"
        )
        batch.drop_column("instansi_id")
