from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.course import Course, CourseVersion, Quiz
from app.models.user import User


class Enrollment(Base):
    """A learner in a course. The version is the one she began; her progress is keyed by
    slugs, so it carries over when she moves to a newer version."""

    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_version.id"), index=True)
    status: Mapped[str] = mapped_column(
        String(16), default="in_progress"
    )  # in_progress | completed
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pretest_score: Mapped[float | None] = mapped_column(Float)
    posttest_score: Mapped[float | None] = mapped_column(Float)
    learning_gain: Mapped[float | None] = mapped_column(Float)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrollment_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    lesson_key: Mapped[str] = mapped_column(String(170))  # "<module-slug>/<lesson-slug>"
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class Attempt(Base):
    """One sitting of a quiz. The paper (questions drawn and choice order) is fixed when the
    attempt starts, so a reload or another device shows the same paper."""

    __tablename__ = "attempt"
    __table_args__ = (UniqueConstraint("enrollment_id", "quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # [{"key": question key, "choices": [choice ids in display order]}]
    paper: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # per-question result after submission: {key: true/false}
    results: Mapped[dict[str, bool] | None] = mapped_column(JSON)

    enrollment: Mapped[Enrollment] = relationship()
    quiz: Mapped[Quiz] = relationship()


class Answer(Base):
    """The saved response to one question of an attempt (autosave overwrites it)."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("attempt.id", ondelete="CASCADE"), index=True
    )
    question_key: Mapped[str] = mapped_column(String(80))
    response: Mapped[Any] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class JpEntry(Base):
    """The yearly JP ledger: one row per completed course or verified external training."""

    __tablename__ = "jp_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer, index=True)
    jp: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # course | external
    title: Mapped[str] = mapped_column(String(250))
    earned_on: Mapped[date] = mapped_column(Date)
    enrollment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrollment.id", ondelete="CASCADE"), unique=True
    )
    external_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_training.id", ondelete="CASCADE"), unique=True
    )


class ExternalTraining(Base):
    """Training outside Cakap, entered by the learner with its certificate; its JP count once
    an HR officer of her instansi has verified it."""

    __tablename__ = "external_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(250))
    organiser: Mapped[str] = mapped_column(String(250))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    jp: Mapped[int] = mapped_column(Integer)
    certificate: Mapped[bytes] = mapped_column(LargeBinary)
    certificate_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(
        String(10), default="pending"
    )  # pending | verified | rejected
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(String(500))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
