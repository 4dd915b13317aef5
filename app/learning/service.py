"""The learner's journey: enrolment, lessons, progress, completion and the JP ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, NotFound
from app.learning import repository
from app.models import CourseVersion, Enrollment, JpEntry, Lesson, LessonProgress, Module, User


def lesson_key(module: Module, lesson: Lesson) -> str:
    return f"{module.slug}/{lesson.slug}"


@dataclass
class ModuleProgress:
    module: Module
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
    next_lesson: tuple[Module, Lesson] | None = None

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
    version: CourseVersion,
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
        has_posttest=any(q.kind == "posttest" for q in version.quizzes),
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


def enrol(session: Session, *, user: User, version: CourseVersion) -> Enrollment:
    """Enrol in a published course; enrolling again returns the same enrolment."""
    if not user.has_role("learner"):
        raise Forbidden("Hanya peserta yang dapat mendaftar kursus.")
    existing = repository.enrollment(session, user_id=user.id, course_id=version.course_id)
    if existing is not None:
        return existing
    enrollment = Enrollment(user_id=user.id, course_id=version.course_id, version_id=version.id)
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
    version: CourseVersion, *, module_slug: str, lesson_slug: str
) -> tuple[Module, Lesson]:
    for module in version.modules:
        if module.slug == module_slug:
            for lesson in module.lessons:
                if lesson.slug == lesson_slug:
                    return module, lesson
    raise NotFound("Pelajaran tidak ditemukan.")


def neighbours(
    version: CourseVersion, lesson: Lesson
) -> tuple[tuple[Module, Lesson] | None, tuple[Module, Lesson] | None]:
    flat = [(m, les) for m in version.modules for les in m.lessons]
    index = next(i for i, (_, les) in enumerate(flat) if les.id == lesson.id)
    return (
        flat[index - 1] if index > 0 else None,
        flat[index + 1] if index + 1 < len(flat) else None,
    )


def complete_lesson(
    session: Session, *, enrollment: Enrollment, module: Module, lesson: Lesson
) -> LessonProgress:
    """Mark a lesson done (idempotent), then see whether the course is now complete."""
    key = lesson_key(module, lesson)
    row = repository.progress_row(session, enrollment.id, key)
    if row is None:
        row = LessonProgress(enrollment_id=enrollment.id, lesson_key=key, completed_at=clock.now())
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            found = repository.progress_row(session, enrollment.id, key)
            if found is None:
                raise
            row = found
    check_completion(session, enrollment_id=enrollment.id)
    return row


def check_completion(session: Session, *, enrollment_id: int) -> bool:
    """Record completion once, with its date, and credit the course's JP for that year.

    The enrolment row is locked first (FOR UPDATE on PostgreSQL; the IMMEDIATE transaction on
    SQLite), and jp_entry.enrollment_id is unique, so parallel requests credit JP once."""
    from app.assessments import service as assessments

    enrollment = repository.enrollment_by_id(session, enrollment_id, for_update=True)
    if enrollment is None:
        raise NotFound()
    if enrollment.status == "completed":
        return True
    version = repository.version_with_course(session, enrollment.version_id)
    assert version is not None
    rule = version.completion or {}
    if rule.get("lessons", "all") == "all":
        done = repository.completed_keys(session, enrollment.id)
        needed = {lesson_key(m, les) for m in version.modules for les in m.lessons}
        if not needed <= done:
            return False
    if (
        rule.get("posttest", "required") == "required"
        and any(q.kind == "posttest" for q in version.quizzes)
        and not assessments.posttest_passed(session, enrollment_id=enrollment.id)
    ):
        return False
    now = clock.now()
    enrollment.status = "completed"
    enrollment.completed_at = now
    session.flush()
    _credit_jp(session, enrollment=enrollment, version=version, at=now)
    issue_certificate_if_due(session, enrollment=enrollment)
    return True


def issue_certificate_if_due(session: Session, *, enrollment: Enrollment) -> None:
    """A completed enrolment gets its certificate once its required evaluations are filled."""
    from app.certificates import service as certificates
    from app.courses import repository as courses
    from app.evaluations import service as evaluations

    if enrollment.status != "completed":
        return
    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    if (version.completion or {}).get(
        "evaluations", "required"
    ) == "required" and not evaluations.all_done(session, enrollment=enrollment, version=version):
        return
    certificates.issue(session, enrollment=enrollment, version=version)


def _credit_jp(
    session: Session, *, enrollment: Enrollment, version: CourseVersion, at: datetime
) -> None:
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


def jp_this_year(session: Session, *, user: User) -> int:
    return repository.jp_total(session, user_id=user.id, year=clock.local_today().year)


def jp_ledger(session: Session, *, user: User, year: int) -> list[JpEntry]:
    return repository.jp_entries(session, user_id=user.id, year=year)


def ensure_open(enrollment: Enrollment) -> None:
    if enrollment.status == "completed":
        raise Conflict("Kursus ini sudah Anda selesaikan.")


@dataclass
class CourseOverview:
    progress: Progress
    version: CourseVersion  # the version she reads: her enrolment's, else the current one
    pretest_done: bool = False
    posttest_attempts: int = 0
    evaluations: list[Any] = field(default_factory=list)  # FormState, when evaluations are open


def overview(session: Session, *, user_id: int, current: CourseVersion) -> CourseOverview:
    """What the course page shows this user: her progress in the version she is enrolled in."""
    from app.assessments import repository as attempts
    from app.courses import repository as courses

    enrollment = repository.enrollment(session, user_id=user_id, course_id=current.course_id)
    version = current
    if enrollment is not None and enrollment.version_id != current.id:
        version = courses.outline(session, enrollment.version_id) or current
    if enrollment is None:
        return CourseOverview(progress(version, None, set()), version)
    done = repository.completed_keys(session, enrollment.id)
    taken = attempts.attempts(session, enrollment_id=enrollment.id)
    passed = any(a.kind == "posttest" and a.passed for a in taken)
    state = progress(version, enrollment, done, posttest_passed=passed)
    forms = []
    if enrollment.status == "completed" or state.next_lesson is None:
        from app.evaluations import service as evaluations

        forms = evaluations.states(session, enrollment=enrollment, version=version)
    return CourseOverview(
        state,
        version,
        pretest_done=any(a.kind == "pretest" and a.status != "in_progress" for a in taken),
        posttest_attempts=sum(1 for a in taken if a.kind == "posttest"),
        evaluations=forms,
    )


@dataclass
class DashboardEntry:
    enrollment: Enrollment
    progress: Progress


def dashboard(session: Session, *, user: User) -> list[DashboardEntry]:
    """Every enrolment with its progress, in a fixed number of queries."""
    from app.assessments import repository as attempts
    from app.courses import repository as courses

    enrollments = repository.enrollments_of(session, user.id)
    keys = repository.completed_keys_for(session, [e.id for e in enrollments])
    passed = attempts.passed_posttests(session, [e.id for e in enrollments])
    versions = courses.outlines(session, list({e.version_id for e in enrollments}))
    return [
        DashboardEntry(
            e, progress(versions[e.version_id], e, keys[e.id], posttest_passed=e.id in passed)
        )
        for e in enrollments
    ]
