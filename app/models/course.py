from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import Base, UTCDateTime


class Course(Base):
    """A course's stable identity (slug, code); its content lives in versions."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="published")  # draft | published
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course",
        foreign_keys="CourseVersion.course_id",
        order_by="CourseVersion.number",
    )


class CourseVersion(Base):
    """One immutable import of a course folder. Enrolments point at the version they began in."""

    __tablename__ = "course_version"
    __table_args__ = (UniqueConstraint("course_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    jp: Mapped[int] = mapped_column(Integer)
    competency_area: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="id")
    authors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    passing_score: Mapped[int] = mapped_column(Integer, default=70)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    certificate_design: Mapped[str] = mapped_column(String(60), default="default")
    author_version: Mapped[int] = mapped_column(Integer, default=1)
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # after_pass | after_last_attempt | never: when the post-test's feedback is shown
    review: Mapped[str] = mapped_column(
        String(20), default="after_last_attempt", server_default="after_last_attempt"
    )
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    total_minutes: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # What changed, written by whoever published it from a draft (None for file imports).
    change_note: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship(back_populates="versions", foreign_keys=[course_id])
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )
    quizzes: Mapped[list[Quiz]] = relationship(
        back_populates="version", order_by="Quiz.id", cascade="all, delete-orphan"
    )
    media: Mapped[list[CourseMedia]] = relationship(cascade="all, delete-orphan", lazy="noload")


class Module(Base):
    __tablename__ = "module"
    __table_args__ = (UniqueConstraint("version_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # [{"id": "sg-m1-o1", "text": "…"}]: what the learner will be able to do after the module
    objectives: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )


class Lesson(Base):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    video_url: Mapped[str | None] = mapped_column(String(500))
    transcript: Mapped[str | None] = mapped_column(Text)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)

    module: Mapped[Module] = relationship(back_populates="lessons")


class Quiz(Base):
    __tablename__ = "quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # pretest | module | posttest
    title: Mapped[str] = mapped_column(String(200))
    draw: Mapped[int | None] = mapped_column(Integer)
    # K questions per objective measured in the pool, for every attempt (instead of `draw`)
    draw_per_objective: Mapped[int | None] = mapped_column(Integer)
    shuffle_choices: Mapped[bool] = mapped_column(Boolean, default=True)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)

    version: Mapped[CourseVersion] = relationship(back_populates="quizzes")
    module: Mapped[Module | None] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def paper_size(self) -> int:
        """How many questions an attempt holds."""
        if self.draw_per_objective:
            per_objective = Counter(q.objective for q in self.questions if q.objective)
            return sum(min(self.draw_per_objective, n) for n in per_objective.values())
        return min(self.draw, len(self.questions)) if self.draw else len(self.questions)


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(80))  # the id written in the course file
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    # choices: [{"id": "1", "text": "…", "correct": bool}]; never sent to a browser as-is
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON)  # truefalse: bool; short: [accepted strings]
    explanation: Mapped[str] = mapped_column(Text)
    objective: Mapped[str | None] = mapped_column(String(80))  # an objective id of the course

    quiz: Mapped[Quiz] = relationship(back_populates="questions")


class CourseMedia(Base):
    """A file from a course's media/ folder, stored in the database so every node serves it."""

    __tablename__ = "course_media"
    __table_args__ = (UniqueConstraint("version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CourseDraft(Base):
    """The next version of a course being edited in the browser: its files (PRODUCT.md §4) kept
    as rows, private to the course's trainers until published. One draft per slug; a draft of a
    new course has no course yet."""

    __tablename__ = "course_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    # The published version the draft started from: the diff and "changed since" compare to it.
    base_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_version.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    files: Mapped[list[CourseDraftFile]] = relationship(
        back_populates="draft", order_by="CourseDraftFile.path", cascade="all, delete-orphan"
    )


class CourseDraftFile(Base):
    """One file of a draft. `revision` goes up by one at every save; a save names the revision
    it was edited from and is refused when that is no longer current (nobody's work is lost)."""

    __tablename__ = "course_draft_file"
    __table_args__ = (UniqueConstraint("draft_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(
        ForeignKey("course_draft.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    draft: Mapped[CourseDraft] = relationship(back_populates="files")


class CourseTrainer(Base):
    """A widyaiswara who teaches a course: named in course.yaml (`file`, kept in step with the
    file at every import) or assigned by hand (`manual`: the CLI or an admin; an import never
    removes it)."""

    __tablename__ = "course_trainer"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(10))  # file | manual
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class CourseRun(Base):
    """A run (*angkatan*) of a course: a cohort with a name, dates and trainers. Every course
    has exactly one open run (`is_open`), where self-paced learners are enrolled."""

    __tablename__ = "course_run"
    __table_args__ = (
        # At most one open run per course, whatever the number of parallel first enrolments.
        Index(
            "uq_course_run_open",
            "course_id",
            unique=True,
            postgresql_where=text("is_open"),
            sqlite_where=text("is_open"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    # The instansi whose HR created it (None: the open run, or one made by an admin)
    instansi_id: Mapped[int | None] = mapped_column(ForeignKey("instansi.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    course: Mapped[Course] = relationship()
    trainers: Mapped[list[CourseRunTrainer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class CourseRunTrainer(Base):
    """A trainer of one run (besides the course's own trainers, who see all its runs)."""

    __tablename__ = "course_run_trainer"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("course_run.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
