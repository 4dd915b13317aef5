"""course drafts: course_draft and course_draft_file (the browser editor's unpublished files),
course_version.change_note and published_by_id

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 03:23:48.407479
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "course_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("base_version_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_version_id"],
            ["course_version.id"],
            name=op.f("fk_course_draft_base_version_id_course_version"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_course_draft_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_course_draft_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_draft")),
        sa.UniqueConstraint("slug", name=op.f("uq_course_draft_slug")),
    )
    with op.batch_alter_table("course_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_draft_course_id"), ["course_id"], unique=False)

    op.create_table(
        "course_draft_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", app.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["course_draft.id"],
            name=op.f("fk_course_draft_file_draft_id_course_draft"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_course_draft_file_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_draft_file")),
        sa.UniqueConstraint("draft_id", "path", name=op.f("uq_course_draft_file_draft_id_path")),
    )
    with op.batch_alter_table("course_draft_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_draft_file_draft_id"), ["draft_id"], unique=False
        )

    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_course_version_published_by_id_user_account"),
            "user_account",
            ["published_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_course_version_published_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("change_note")

    with op.batch_alter_table("course_draft_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_draft_file_draft_id"))

    op.drop_table("course_draft_file")
    with op.batch_alter_table("course_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_draft_course_id"))

    op.drop_table("course_draft")
