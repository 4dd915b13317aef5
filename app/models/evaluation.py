from __future__ import annotations

from typing import Any
from uuid import uuid4

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    and the learner's instansi at submission (so that HR reads only her own instansi's
    responses: see app/analytics/evaluations.py for why this is coarse enough); the summaries
    withhold means below a minimum number of responses (analytics.evaluations). Still
    linkable by someone with direct database access on PostgreSQL: rows written in one
    transaction share its transaction id (xmin) and sit near each other on disk. Closing that
    would mean writing the answers later, apart from the receipt, and losing the guarantee that
    a submission is counted once and exactly once; we keep the guarantee and say so here."""

    __tablename__ = "evaluation_response"
    __table_args__ = (
        Index("ix_evaluation_response_course_id_instansi_id", "course_id", "instansi_id"),
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


class EvaluationReceipt(Base):
    """That a learner has filled a form: nothing about what she answered, nor when."""

    __tablename__ = "evaluation_receipt"
    __table_args__ = (UniqueConstraint("enrollment_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[str] = mapped_column(String(60))
