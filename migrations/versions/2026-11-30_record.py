"""record: unlinkable evaluations, external training evidence, audit by actor

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-30 14:28:03.432223
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_REJECTED = sa.text("status <> 'rejected'")


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _evaluation_response(id_type: sa.types.TypeEngine, when: sa.Column) -> None:
    op.create_table(
        "evaluation_response",
        sa.Column("id", id_type, nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=60), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        when,
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
            name=op.f("fk_evaluation_response_course_id_course"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["course_version.id"],
            name=op.f("fk_evaluation_response_version_id_course_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_response")),
        **({"sqlite_with_rowid": False} if isinstance(id_type, sa.String) else {}),
    )
    op.create_index(op.f("ix_evaluation_response_course_id"), "evaluation_response", ["course_id"])


def _park_responses(year_sql: str) -> None:
    """Move the responses aside (no ids, no constraints) and drop their table."""
    op.create_table(
        "evaluation_response_tmp",
        sa.Column("course_id", sa.Integer()),
        sa.Column("version_id", sa.Integer()),
        sa.Column("form_id", sa.String(length=60)),
        sa.Column("answers", sa.JSON()),
        sa.Column("comment", sa.Text()),
        sa.Column("year", sa.Integer()),
    )
    op.execute(
        "INSERT INTO evaluation_response_tmp (course_id, version_id, form_id, answers, comment,"  # noqa: S608 - constant fragments
        f" year) SELECT course_id, version_id, form_id, answers, comment, {year_sql}"
        " FROM evaluation_response"
    )
    op.drop_index(op.f("ix_evaluation_response_course_id"), table_name="evaluation_response")
    op.drop_table("evaluation_response")


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_actor_id"), ["actor_id"], unique=False)

    # Evaluation responses get random ids and only a year; existing rows are rewritten in a
    # random order so that neither their ids nor their place on disk keeps the order in which
    # they were submitted (see app/models/evaluation.py).
    sqlite = _is_sqlite()
    _park_responses(
        "CAST(strftime('%Y', submitted_on) AS INTEGER)"
        if sqlite
        else "CAST(EXTRACT(YEAR FROM submitted_on) AS INTEGER)"
    )
    _evaluation_response(sa.String(length=32), sa.Column("year", sa.Integer(), nullable=False))
    random_id = (
        "lower(hex(randomblob(16)))" if sqlite else "md5(random()::text || clock_timestamp()::text)"
    )
    op.execute(
        "INSERT INTO evaluation_response (id, course_id, version_id, form_id, answers, comment,"  # noqa: S608 - constant fragments
        f" year) SELECT {random_id}, course_id, version_id, form_id, answers, comment, year"
        " FROM evaluation_response_tmp ORDER BY random()"
    )
    op.drop_table("evaluation_response_tmp")

    with op.batch_alter_table("external_training", schema=None) as batch_op:
        batch_op.add_column(sa.Column("certificate_number", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("number_key", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("jp_approved", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("jp_reason", sa.String(length=500), nullable=True))
    # Evidence entered twice counted twice: keep the first entry of a file, set the later ones
    # aside as rejected (with why), and take their JP out, before the rule becomes an index.
    op.execute(
        "UPDATE external_training SET status = 'rejected',"
        " review_note = 'Bukti yang sama sudah tercatat; hanya dihitung sekali.'"
        " WHERE status <> 'rejected' AND EXISTS (SELECT 1 FROM external_training e2"
        " WHERE e2.user_id = external_training.user_id"
        " AND e2.certificate_sha256 = external_training.certificate_sha256"
        " AND e2.status <> 'rejected' AND e2.id < external_training.id)"
    )
    op.execute(
        "DELETE FROM jp_entry WHERE external_id IN"
        " (SELECT id FROM external_training WHERE status = 'rejected')"
    )
    with op.batch_alter_table("external_training", schema=None) as batch_op:
        batch_op.create_index(
            "uq_external_training_user_file",
            ["user_id", "certificate_sha256"],
            unique=True,
            postgresql_where=NOT_REJECTED,
            sqlite_where=NOT_REJECTED,
        )
        batch_op.create_index(
            "uq_external_training_user_number",
            ["user_id", "number_key"],
            unique=True,
            postgresql_where=NOT_REJECTED,
            sqlite_where=NOT_REJECTED,
        )


def downgrade() -> None:
    with op.batch_alter_table("external_training", schema=None) as batch_op:
        batch_op.drop_index("uq_external_training_user_number")
        batch_op.drop_index("uq_external_training_user_file")
        batch_op.drop_column("jp_reason")
        batch_op.drop_column("jp_approved")
        batch_op.drop_column("number_key")
        batch_op.drop_column("certificate_number")

    _park_responses("year")
    _evaluation_response(sa.Integer(), sa.Column("submitted_on", sa.Date(), nullable=False))
    first_of_year = "date(printf('%04d-01-01', year))" if _is_sqlite() else "make_date(year, 1, 1)"
    op.execute(
        "INSERT INTO evaluation_response (id, course_id, version_id, form_id, answers, comment,"  # noqa: S608 - constant fragments
        f" submitted_on) SELECT row_number() OVER (), course_id, version_id, form_id, answers,"
        f" comment, {first_of_year} FROM evaluation_response_tmp"
    )
    op.drop_table("evaluation_response_tmp")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_id"))
