from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base


class EvaluationResponse(Base):
    """One filled evaluation form. Deliberately not linked to the learner or her enrolment,
    and dated by day only, so results aggregate per course and trainer without showing who
    answered what."""

    __tablename__ = "evaluation_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id", ondelete="CASCADE"))
    form_id: Mapped[str] = mapped_column(String(60))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_on: Mapped[date] = mapped_column(Date)


class EvaluationReceipt(Base):
    """That a learner has filled a form (and nothing about what she answered)."""

    __tablename__ = "evaluation_receipt"
    __table_args__ = (UniqueConstraint("enrollment_id", "form_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[str] = mapped_column(String(60))
