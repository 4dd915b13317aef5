"""course_review

When a learner sees the post-test's correct answers and explanations: the course's `review`
setting (after_pass, after_last_attempt or never). Versions imported before it get the
default, after_last_attempt.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 18:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "review",
                sa.String(length=20),
                nullable=False,
                server_default="after_last_attempt",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("course_version", schema=None) as batch_op:
        batch_op.drop_column("review")
