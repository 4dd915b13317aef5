"""The learner's journey: enrolment, lessons, progress, completion and the JP ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.courses import repository as courses_repository
from app.courses import runs
from app.courses.outline import LessonOutline, ModuleOutline, Outline
from app.learning import repository
from app.models import CourseRun, Enrollment, JpEntry, LessonProgress, User


def lesson_key(module: ModuleOutline, lesson: LessonOutline) -> str:
    return f"{module.slug}/{lesson.slug}"


@dataclass
class ModuleProgress:
    module: ModuleOutline
    done: int
    total: int


@dataclass
class Progress:
    """Where a learner stands in one course version."""

    enrollment: Enrollment | None
    completed: set[str]
    modules: list[ModuleProgress] = field(default_factory=list)
    lessons_done: int = 0
    lessons_total: int = 0
    posttest_passed: bool = False
    has_posttest: bool = False
    next_lesson: tuple[ModuleOutline, LessonOutline] | None = None

    @property
    def percent(self) -> int:
        if self.enrollment is not None and self.enrollment.status == "completed":
            return 100
        total = self.lessons_total + (1 if self.has_posttest else 0)
        done = self.lessons_done + (1 if self.posttest_passed else 0)
        return round(100 * done / total) if total else 0

    @property
    def status(self) -> str:
        if self.enrollment is None:
            return "not_started"
        return "completed" if self.enrollment.status == "completed" else "in_progress"


def progress(
    version: Outline,
    enrollment: Enrollment | None,
    completed: set[str],
    *,
    posttest_passed: bool = False,
) -> Progress:
    """Compute progress from an outline already in memory (no queries)."""
    result = Progress(
        enrollment=enrollment,
        completed=completed,
        posttest_passed=posttest_passed,
        has_posttest=version.has_posttest,
    )
    for module in version.modules:
        done = 0
        for lesson in module.lessons:
            if lesson_key(module, lesson) in completed:
                done += 1
            elif result.next_lesson is None:
                result.next_lesson = (module, lesson)
        result.modules.append(ModuleProgress(module, done, len(module.lessons)))
        result.lessons_done += done
        result.lessons_total += len(module.lessons)
    return result


def enrol(
    session: Session, *, user: User, version: Outline, run: CourseRun | None = None
) -> Enrollment:
    """Enrol in a published course, in `run` or else the course's open run (self-paced);
    enrolling again returns the same enrolment (in the run it already has)."""
    if not user.has_role("learner"):
        raise Forbidden("Hanya peserta yang dapat mendaftar kursus.")
    existing = repository.enrollment(session, user_id=user.id, course_id=version.course_id)
    if existing is not None:
        return existing
    if run is not None and run.course_id != version.course_id:
        raise Invalid("Angkatan ini bukan angkatan kursus tersebut.")
    run = run or runs.open_run(session, course_id=version.course_id)
    enrollment = Enrollment(
        user_id=user.id, course_id=version.course_id, version_id=version.id, run_id=run.id
    )
    try:
        with session.begin_nested():
            session.add(enrollment)
    except IntegrityError:
        # A parallel request enrolled first: the unique constraint decides, we return its row.
        found = repository.enrollment(session, user_id=user.id, course_id=version.course_id)
        if found is None:
            raise
        return found
    return enrollment


def enrollment_for(session: Session, *, user: User, course_id: int) -> Enrollment | None:
    return repository.enrollment(session, user_id=user.id, course_id=course_id)


def require_enrollment(session: Session, *, user: User, course_id: int) -> Enrollment:
    found = enrollment_for(session, user=user, course_id=course_id)
    if found is None:
        raise Forbidden("Daftar kursus ini terlebih dahulu.")
    return found


def find_lesson(
    version: Outline, *, module_slug: str, lesson_slug: str
) -> tuple[ModuleOutline, LessonOutline]:
    found = version.lesson(module_slug, lesson_slug)
    if found is None:
        raise NotFound("Pelajaran tidak ditemukan.")
    return found


def neighbours(
    version: Outline, lesson: LessonOutline
) -> tuple[tuple[ModuleOutline, LessonOutline] | None, tuple[ModuleOutline, LessonOutline] | None]:
    flat = version.lessons()
    index = next(i for i, (_, les) in enumerate(flat) if les.id == lesson.id)
    return (
        flat[index - 1] if index > 0 else None,
        flat[index + 1] if index + 1 < len(flat) else None,
    )


PRETEST_FIRST = "Kerjakan pre-test terlebih dahulu; materi terbuka setelah pre-test dikumpulkan."


def pretest_pending(version: Outline, enrollment: Enrollment) -> bool:
    """The course has a pre-test she has not finished: the lessons wait for it (PRODUCT.md §4),
    so that it measures where she started. A graded pre-test (submitted or timed out) sets
    the enrolment's pre-test score."""
    return (
        version.has_pretest
        and enrollment.pretest_score is None
        and enrollment.status != "completed"
    )


def complete_lesson(
    session: Session,
    *,
    enrollment: Enrollment,
    version: Outline,
    module: ModuleOutline,
    lesson: LessonOutline,
) -> LessonProgress:
    """Mark a lesson done (idempotent); not before the pre-test. Whether the course is now
    complete is for app.completion to decide (it calls this)."""
    key = lesson_key(module, lesson)
    row = repository.progress_row(session, enrollment.id, key)
    if row is None:
        if pretest_pending(version, enrollment):
            raise Conflict(PRETEST_FIRST)
        row = LessonProgress(enrollment_id=enrollment.id, lesson_key=key, completed_at=clock.now())
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            found = repository.progress_row(session, enrollment.id, key)
            if found is None:
                raise
            row = found
    return row


def credit_jp(session: Session, *, enrollment: Enrollment, version: Outline, at: datetime) -> None:
    if repository.jp_for_enrollment(session, enrollment.id) is not None:
        return
    local = at.astimezone(clock.WIB).date()
    session.add(
        JpEntry(
            user_id=enrollment.user_id,
            year=local.year,
            jp=version.jp,
            source="course",
            title=version.title,
            earned_on=local,
            enrollment_id=enrollment.id,
        )
    )
    session.flush()


def withdraw_jp(session: Session, *, enrollment_id: int) -> int:
    """Take a course's JP out of the ledger (its certificate was revoked); the JP removed."""
    entry = repository.jp_for_enrollment(session, enrollment_id)
    if entry is None:
        return 0
    session.delete(entry)
    session.flush()
    return entry.jp


def jp_this_year(session: Session, *, user: User) -> int:
    return repository.jp_total(session, user_id=user.id, year=clock.local_today().year)


def jp_ledger(session: Session, *, user: User, year: int) -> list[JpEntry]:
    return repository.jp_entries(session, user_id=user.id, year=year)


def ensure_open(enrollment: Enrollment) -> None:
    if enrollment.status == "completed":
        raise Conflict("Kursus ini sudah Anda selesaikan.")


def version_for(session: Session, *, enrollment: Enrollment | None, current: Outline) -> Outline:
    """The version a learner reads: her enrolment's (kept across new versions), else the
    current one."""
    if enrollment is None or enrollment.version_id == current.id:
        return current
    from app.courses import repository as courses

    return courses.outline(session, enrollment.version_id) or current


# --- Moving to a newer version (issue 14) -----------------------------------------------------


def should_move(
    session: Session, *, enrollment: Enrollment, current_version_id: int | None
) -> bool:
    """Is she part-way through an older version, with no attempt running? A completed enrolment
    stays on its version (its certificate names it); a running attempt is finished on the
    version it began in, so the move waits until it is handed in."""
    if enrollment.status != "in_progress" or current_version_id is None:
        return False
    if enrollment.version_id == current_version_id:
        return False
    return not repository.has_open_attempt(session, enrollment.id)


def move_to_current(session: Session, *, enrollment_id: int) -> bool:
    """Move an enrolment part-way through an older version to the course's current one. Lessons
    done carry over by their identity (module and lesson slugs: progress is keyed by them, and a
    removed lesson simply no longer counts); an attempt carries over when the new version has a
    quiz of the same kind (module quizzes: the same module slug) holding every question of its
    paper (by question id); others stay with the old version and no longer count. Idempotent and
    safe when two tabs ask at once: the enrolment row is locked (FOR UPDATE; IMMEDIATE on
    SQLite) before the reads that decide. True when she moved."""
    enrollment = repository.enrollment_by_id(session, enrollment_id, for_update=True)
    if enrollment is None:
        return False
    course = repository.course(session, enrollment.course_id)
    if course is None or course.status != "published":
        return False
    if not should_move(
        session, enrollment=enrollment, current_version_id=course.current_version_id
    ):
        return False
    assert course.current_version_id is not None
    old = courses_repository.outline(session, enrollment.version_id)
    new = courses_repository.outline(session, course.current_version_id)
    if old is None or new is None:
        return False
    for attempt in repository.attempts_of(session, enrollment.id):
        was = old.quiz(attempt.quiz_id)
        if was is None:
            continue  # an attempt left behind by an earlier move
        target = new.quiz_of_kind(was.kind, was.module_slug)
        if target is not None and all(item["key"] in target.by_key for item in attempt.paper):
            attempt.quiz_id = target.id
    enrollment.version_id = new.id
    session.flush()
    return True


def move_after_visit(session: Session, *, enrollment_id: int) -> None:
    """`move_to_current` as the bookkeeping write queued by a visit (core.db.after_request)."""
    move_to_current(session, enrollment_id=enrollment_id)
