from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.courses.outline import Outline, build
from app.models import Course, CourseMedia, CourseVersion, Lesson, Module, Quiz


def course_by_slug(session: Session, slug: str, *, for_update: bool = False) -> Course | None:
    stmt = select(Course).where(Course.slug == slug).options(joinedload(Course.current_version))
    if for_update:
        stmt = stmt.with_for_update(of=Course)
    return session.scalars(stmt).first()


def course_by_code(session: Session, code: str) -> Course | None:
    return session.scalars(select(Course).where(Course.code == code)).first()


def latest_version_number(session: Session, course_id: int) -> int:
    stmt = select(func.max(CourseVersion.number)).where(CourseVersion.course_id == course_id)
    return session.scalar(stmt) or 0


def published(
    session: Session,
    *,
    query: str | None = None,
    area: str | None = None,
    level: str | None = None,
    course_ids: set[int] | None = None,
) -> Sequence[tuple[Course, CourseVersion]]:
    stmt = (
        select(Course, CourseVersion)
        .join(CourseVersion, Course.current_version_id == CourseVersion.id)
        .where(Course.status == "published")
        .order_by(CourseVersion.title)
    )
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(CourseVersion.title).like(like),
                func.lower(CourseVersion.summary).like(like),
                func.lower(Course.code).like(like),
            )
        )
    if area:
        stmt = stmt.where(CourseVersion.competency_area == area)
    if level:
        stmt = stmt.where(CourseVersion.level == level)
    if course_ids is not None:
        stmt = stmt.where(Course.id.in_(sorted(course_ids)))
    return [(c, v) for c, v in session.execute(stmt).all()]


# A course version never changes once imported (a changed course becomes a new version), so
# each process keeps recently used outlines, as immutable values (app.courses.outline) shared
# by every thread, and pages stop re-reading the whole course on every request. The key carries
# the content hash and publication time as well as the id, so a reused id can never return
# another version's outline.
_OUTLINES: OrderedDict[tuple[int, int, str, datetime], Outline] = OrderedDict()
_OUTLINES_LOCK = threading.Lock()
_OUTLINES_MAX = 64


# Built once: a statement object keeps its cache key, so the hot pages skip rebuilding it.
_PUBLISHED_BY_SLUG = (
    select(CourseVersion.id, CourseVersion.content_hash, CourseVersion.published_at)
    .join(Course, Course.current_version_id == CourseVersion.id)
    .where(Course.slug == bindparam("slug"), Course.status == "published")
)


def published_outline(session: Session, slug: str) -> Outline | None:
    """The outline of a published course's current version, in one small query."""
    row = session.execute(_PUBLISHED_BY_SLUG, {"slug": slug}).first()
    if row is None:
        return None
    return cached_outline(session, row.id, row.content_hash, row.published_at)


def outline(session: Session, version_id: int) -> Outline | None:
    """A version with its course, modules, lessons (with bodies) and quizzes (with questions),
    as immutable values shared between threads; write by the ids they carry."""
    stmt = select(CourseVersion.content_hash, CourseVersion.published_at).where(
        CourseVersion.id == version_id
    )
    row = session.execute(stmt).first()
    if row is None:
        return None
    return cached_outline(session, version_id, row.content_hash, row.published_at)


def cached_outline(
    session: Session, version_id: int, content_hash: str, published_at: datetime
) -> Outline:
    """The outline of a version whose content hash and publication time the caller has just
    read (in the same query as whatever else it needed)."""
    key = (id(session.get_bind()), version_id, content_hash, published_at)
    with _OUTLINES_LOCK:
        found = _OUTLINES.get(key)
        if found is not None:
            _OUTLINES.move_to_end(key)
            return found
    loaded = _load_outline(session, version_id)
    with _OUTLINES_LOCK:
        _OUTLINES[key] = loaded
        while len(_OUTLINES) > _OUTLINES_MAX:
            _OUTLINES.popitem(last=False)
    return loaded


def _load_outline(session: Session, version_id: int) -> Outline:
    # Read through the caller's own connection and transaction (it may have just imported the
    # course); a separate, short-lived session so that the caller's identity map is left alone
    # (it may hold the same rows, being changed) and no ORM object outlives the load.
    loader = Session(bind=session.connection(), join_transaction_mode="create_savepoint")
    try:
        stmt = (
            select(CourseVersion)
            .where(CourseVersion.id == version_id)
            .options(
                joinedload(CourseVersion.course),
                selectinload(CourseVersion.modules).selectinload(Module.lessons),
                selectinload(CourseVersion.quizzes).options(
                    selectinload(Quiz.questions), joinedload(Quiz.module)
                ),
            )
        )
        return build(loader.scalars(stmt).one())
    finally:
        loader.close()


def media(session: Session, *, slug: str, version_number: int, path: str) -> CourseMedia | None:
    stmt = (
        select(CourseMedia)
        .join(CourseVersion, CourseMedia.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .where(
            Course.slug == slug, CourseVersion.number == version_number, CourseMedia.path == path
        )
    )
    return session.scalars(stmt).first()


def lesson(session: Session, lesson_id: int) -> Lesson | None:
    stmt = select(Lesson).options(joinedload(Lesson.module)).where(Lesson.id == lesson_id)
    return session.scalars(stmt).first()


def quiz(session: Session, quiz_id: int) -> Quiz | None:
    return session.get(Quiz, quiz_id)


def outlines(session: Session, version_ids: list[int]) -> dict[int, Outline]:
    if not version_ids:
        return {}
    stmt = select(CourseVersion.id, CourseVersion.content_hash, CourseVersion.published_at).where(
        CourseVersion.id.in_(version_ids)
    )
    return {
        row.id: cached_outline(session, row.id, row.content_hash, row.published_at)
        for row in session.execute(stmt)
    }


def version_files_source(session: Session, version_id: int) -> CourseVersion | None:
    """A version with everything its files are written from (app/courses/export.py)."""
    stmt = (
        select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(
            selectinload(CourseVersion.modules).selectinload(Module.lessons),
            selectinload(CourseVersion.quizzes).options(
                selectinload(Quiz.questions), joinedload(Quiz.module)
            ),
        )
    )
    return session.scalars(stmt).first()


def version_media(session: Session, version_id: int) -> list[CourseMedia]:
    stmt = (
        select(CourseMedia).where(CourseMedia.version_id == version_id).order_by(CourseMedia.path)
    )
    return list(session.scalars(stmt))
