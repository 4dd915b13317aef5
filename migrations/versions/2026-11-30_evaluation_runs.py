"""Evaluation responses and receipts name the run, and the trainer a trainer form is about

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

# On SQLite the foreign keys make batch mode rebuild the table: it must stay WITHOUT ROWID
# (app/models/evaluation.py says why).
_TABLE_KWARGS = {"sqlite_with_rowid": False}


def upgrade() -> None:
    with op.batch_alter_table("evaluation_response", table_kwargs=_TABLE_KWARGS) as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("trainer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_evaluation_response_run_id_course_run"),
            "course_run",
            ["run_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_evaluation_response_trainer_id_user_account"),
            "user_account",
            ["trainer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_evaluation_response_trainer_id", ["trainer_id"])
    with op.batch_alter_table("evaluation_receipt") as batch:
        batch.add_column(sa.Column("trainer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_evaluation_receipt_trainer_id_user_account"),
            "user_account",
            ["trainer_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.drop_constraint(
            batch.f("uq_evaluation_receipt_enrollment_id_form_id"), type_="unique"
        )
        batch.create_unique_constraint(
            batch.f("uq_evaluation_receipt_enrollment_id_form_id_trainer_id"),
            ["enrollment_id", "form_id", "trainer_id"],
        )
        batch.create_index(
            "uq_evaluation_receipt_no_trainer",
            ["enrollment_id", "form_id"],
            unique=True,
            postgresql_where=sa.text("trainer_id IS NULL"),
            sqlite_where=sa.text("trainer_id IS NULL"),
        )
    # The run of each response cannot be recovered (a response is unlinkable to its
    # enrolment, by design): older responses keep run_id NULL.


def downgrade() -> None:
    # Back to one receipt per form and enrolment: keep the first of a trainer form's receipts.
    op.execute(
        "DELETE FROM evaluation_receipt WHERE id NOT IN ("
        "SELECT MIN(id) FROM evaluation_receipt GROUP BY enrollment_id, form_id)"
    )
    with op.batch_alter_table("evaluation_receipt") as batch:
        batch.drop_index("uq_evaluation_receipt_no_trainer")
        batch.drop_constraint(
            batch.f("uq_evaluation_receipt_enrollment_id_form_id_trainer_id"), type_="unique"
        )
        batch.create_unique_constraint(
            batch.f("uq_evaluation_receipt_enrollment_id_form_id"), ["enrollment_id", "form_id"]
        )
        batch.drop_constraint(
            batch.f("fk_evaluation_receipt_trainer_id_user_account"), type_="foreignkey"
        )
        batch.drop_column("trainer_id")
    with op.batch_alter_table("evaluation_response", table_kwargs=_TABLE_KWARGS) as batch:
        batch.drop_index("ix_evaluation_response_trainer_id")
        batch.drop_constraint(
            batch.f("fk_evaluation_response_trainer_id_user_account"), type_="foreignkey"
        )
        batch.drop_constraint(
            batch.f("fk_evaluation_response_run_id_course_run"), type_="foreignkey"
        )
        batch.drop_column("trainer_id")
        batch.drop_column("run_id")
