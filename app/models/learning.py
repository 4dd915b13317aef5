from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.models.course import Course, CourseRun, CourseVersion, Quiz
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
    # The run (*angkatan*) she learns in: a named cohort, or the course's open run.
    run_id: Mapped[int] = mapped_column(ForeignKey("course_run.id"), index=True)
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
    run: Mapped[CourseRun] = relationship()


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
    # The 20-JP report sums a year's entries per person in user order (a GroupAggregate with
    # no sort); on PostgreSQL the included columns let it read the index alone. (user_id,
    # year) also serves one person's year; (year, user_id) keeps the report to one year's
    # entries once the ledger holds several years.
    __table_args__ = (
        Index("ix_jp_entry_user_id_year", "user_id", "year", postgresql_include=["jp", "source"]),
        Index("ix_jp_entry_year_user_id", "year", "user_id", postgresql_include=["jp", "source"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
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
    """Training outside Cakap, entered by the learner with its certificate (number, organiser,
    dates); its JP count once an HR officer of her instansi has verified it. One piece of
    evidence counts once per person: the same file, or the same certificate number from the
    same organiser, cannot be entered twice (a rejected entry may be entered again)."""

    __tablename__ = "external_training"
    __table_args__ = (
        Index(
            "uq_external_training_user_file",
            "user_id",
            "certificate_sha256",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
        Index(
            "uq_external_training_user_number",
            "user_id",
            "number_key",
            unique=True,
            postgresql_where=text("status <> 'rejected'"),
            sqlite_where=text("status <> 'rejected'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(250))
    organiser: Mapped[str] = mapped_column(String(250))
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    # number and organiser, case- and space-insensitive: what makes a certificate the same one
    number_key: Mapped[str | None] = mapped_column(String(400))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    jp: Mapped[int] = mapped_column(Integer)  # as claimed by the learner
    # as verified by HR: the claim unless HR set another figure, with its reason
    jp_approved: Mapped[int | None] = mapped_column(Integer)
    jp_reason: Mapped[str | None] = mapped_column(String(500))
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

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def jp_counted(self) -> int:
        return self.jp if self.jp_approved is None else self.jp_approved


class AttemptAllowance(Base):
    """What a trainer granted one learner on one quiz beyond the course's rules: extra
    post-test attempts and extra minutes on a timed quiz (audited; app/assessments honours
    them). `quiz_key` is `pretest`, `posttest` or `module:<slug>`, so a grant outlives a new
    course version."""

    __tablename__ = "attempt_allowance"
    __table_args__ = (UniqueConstraint("enrollment_id", "quiz_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollment.id", ondelete="CASCADE"))
    quiz_key: Mapped[str] = mapped_column(String(90))
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=clock.now, onupdate=clock.now
    )
