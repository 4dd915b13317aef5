from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class EvaluationResponse(Base):
    """One filled evaluation form, unlinkable to the learner who filled it.

    Why these columns and no others: the learner's side of a submission is the receipt
    (EvaluationReceipt: enrolment and form, nothing else) and this row is the answers. Anything
    the two share beyond course and form would join them again, so:
    - the id is random (uuid4), not a sequence: consecutive integer ids, advanced once per
      submission in both tables, made the receipt's id equal the response's id;
    - no timestamp, only the year (for yearly summaries): a day or a minute joins a response to
      the enrolment's completion time or to the audit log whenever few learners submit that day;
    - on SQLite the table is WITHOUT ROWID, so rows are stored in the order of the random id and
      no hidden rowid keeps the order of submission (which the receipts' ids also keep).
    What remains is the course, its version and the form, shared by everyone in the cohort,
    the run (angkatan) and, for the trainer form, the trainer it is about (shared by everyone
    in the run who evaluates that trainer), and the learner's instansi at submission (so that
    HR reads only her own instansi's responses: see app/analytics/evaluations.py for why this
    is coarse enough); the summaries withhold means below a minimum number of responses
    (analytics.evaluations; per run: app/analytics/evaluation_results.py). Still
    linkable by someone with direct database access on PostgreSQL: rows written in one
    transaction share its transaction id (xmin) and sit near each other on disk. Closing that
    would mean writing the answers later, apart from the receipt, and losing the guarantee that
    a submission is counted once and exactly once; we keep the guarantee and say so here."""

    __tablename__ = "evaluation_response"
    __table_args__ = (
        Index("ix_evaluation_response_course_id_instansi_id", "course_id", "instansi_id"),
        Index("ix_evaluation_response_trainer_id", "trainer_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid4().hex)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(String(60))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int] = mapped_column(Integer)
    # NULL for responses stored before it was recorded: those are summarised for admins only.
    instansi_id: Mapped[int | None] = mapped_column(ForeignKey("instansi.id", ondelete="SET NULL"))
    # The run of the learner's enrolment (NULL for responses stored before runs existed).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("course_run.id", ondelete="SET NULL"))
    # The trainer a trainer-form response is about (NULL: another form, or a run without one).
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class EvaluationReceipt(Base):
    """That a learner has filled a form (for the trainer form: about which trainer of her run):
    nothing about what she answered, nor when."""

    __tablename__ = "evaluation_receipt"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "form_id", "trainer_id"),
        # NULLs are distinct in a unique constraint: once per form when it is about no trainer
        Index(
            "uq_evaluation_receipt_no_trainer",
            "enrollment_id",
            "form_id",
            unique=True,
            postgresql_where=text("trainer_id IS NULL"),
            sqlite_where=text("trainer_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[str] = mapped_column(String(60))
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE")
    )
