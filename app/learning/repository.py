from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from app.courses import repository as courses
from app.courses.outline import Outline
from app.models import Attempt, Course, CourseVersion, Enrollment, JpEntry, LessonProgress

# Built once (every learner page reads them): a statement object keeps its cache key.
_ENROLLMENT = select(Enrollment).where(
    Enrollment.user_id == bindparam("user_id"), Enrollment.course_id == bindparam("course_id")
)
_COMPLETED_KEYS = select(LessonProgress.lesson_key).where(
    LessonProgress.enrollment_id == bindparam("enrollment_id")
)


_ENROLLMENT_IN_PUBLISHED = (
    select(
        Enrollment,
        CourseVersion.content_hash,
        CourseVersion.published_at,
        Course.current_version_id,
    )
    .join(Course, Course.id == Enrollment.course_id)
    .join(CourseVersion, CourseVersion.id == Enrollment.version_id)
    .where(
        Course.slug == bindparam("slug"),
        Course.status == "published",
        Enrollment.user_id == bindparam("user_id"),
    )
)


def enrollment_in_published(
    session: Session, *, user_id: int, slug: str
) -> tuple[Enrollment, Outline] | None:
    """Her enrolment in a published course and the outline of the version she is enrolled
    in, in one query; None when the course is not published or she is not enrolled."""
    row = session.execute(_ENROLLMENT_IN_PUBLISHED, {"slug": slug, "user_id": user_id}).first()
    if row is None:
        return None
    enrollment, content_hash, published_at, _current = row
    version = courses.cached_outline(session, enrollment.version_id, content_hash, published_at)
    return enrollment, version


def enrollment_and_current(
    session: Session, *, user_id: int, slug: str
) -> tuple[Enrollment, Outline, int | None] | None:
    """As `enrollment_in_published`, with the id of the course's current version (in the same
    query): whether she should move to a newer version."""
    row = session.execute(_ENROLLMENT_IN_PUBLISHED, {"slug": slug, "user_id": user_id}).first()
    if row is None:
        return None
    enrollment, content_hash, published_at, current = row
    version = courses.cached_outline(session, enrollment.version_id, content_hash, published_at)
    return enrollment, version, current


def enrollment(
    session: Session, *, user_id: int, course_id: int, for_update: bool = False
) -> Enrollment | None:
    stmt = _ENROLLMENT.with_for_update() if for_update else _ENROLLMENT
    return session.scalars(stmt, {"user_id": user_id, "course_id": course_id}).first()


def enrollment_by_id(
    session: Session, enrollment_id: int, *, for_update: bool = False
) -> Enrollment | None:
    stmt = select(Enrollment).where(Enrollment.id == enrollment_id)
    if for_update:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def enrollments_of(session: Session, user_id: int) -> list[Enrollment]:
    stmt = (
        select(Enrollment)
        .options(joinedload(Enrollment.course), joinedload(Enrollment.version))
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.enrolled_at.desc())
    )
    return list(session.scalars(stmt))


def completed_keys(session: Session, enrollment_id: int) -> set[str]:
    return set(session.scalars(_COMPLETED_KEYS, {"enrollment_id": enrollment_id}))


def completed_keys_for(session: Session, enrollment_ids: list[int]) -> dict[int, set[str]]:
    if not enrollment_ids:
        return {}
    stmt = select(LessonProgress.enrollment_id, LessonProgress.lesson_key).where(
        LessonProgress.enrollment_id.in_(enrollment_ids)
    )
    out: dict[int, set[str]] = {i: set() for i in enrollment_ids}
    for enrollment_id, key in session.execute(stmt):
        out[enrollment_id].add(key)
    return out


def progress_row(session: Session, enrollment_id: int, key: str) -> LessonProgress | None:
    stmt = select(LessonProgress).where(
        LessonProgress.enrollment_id == enrollment_id, LessonProgress.lesson_key == key
    )
    return session.scalars(stmt).first()


def jp_entries(session: Session, *, user_id: int, year: int) -> list[JpEntry]:
    stmt = (
        select(JpEntry)
        .where(JpEntry.user_id == user_id, JpEntry.year == year)
        .order_by(JpEntry.earned_on)
    )
    return list(session.scalars(stmt))


def jp_total(session: Session, *, user_id: int, year: int) -> int:
    stmt = select(func.coalesce(func.sum(JpEntry.jp), 0)).where(
        JpEntry.user_id == user_id, JpEntry.year == year
    )
    return int(session.scalar(stmt) or 0)


def jp_for_enrollment(session: Session, enrollment_id: int) -> JpEntry | None:
    return session.scalars(select(JpEntry).where(JpEntry.enrollment_id == enrollment_id)).first()


def course(session: Session, course_id: int) -> Course | None:
    return session.get(Course, course_id)


def has_open_attempt(session: Session, enrollment_id: int) -> bool:
    stmt = select(Attempt.id).where(
        Attempt.enrollment_id == enrollment_id, Attempt.status == "in_progress"
    )
    return session.scalars(stmt.limit(1)).first() is not None


def attempts_of(session: Session, enrollment_id: int) -> list[Attempt]:
    stmt = select(Attempt).where(Attempt.enrollment_id == enrollment_id).order_by(Attempt.id)
    return list(session.scalars(stmt))
