from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

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
    session: Session, *, query: str | None = None, area: str | None = None, level: str | None = None
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
    return [(c, v) for c, v in session.execute(stmt).all()]


def outline(session: Session, version_id: int) -> CourseVersion | None:
    """A version with modules, lessons and quizzes loaded in a fixed number of queries."""
    stmt = (
        select(CourseVersion)
        .where(CourseVersion.id == version_id)
        .options(
            joinedload(CourseVersion.course),
            # Lesson bodies are loaded only for the lesson being shown.
            selectinload(CourseVersion.modules)
            .selectinload(Module.lessons)
            .options(defer(Lesson.body_md), defer(Lesson.body_html)),
            selectinload(CourseVersion.quizzes).joinedload(Quiz.module),
        )
    )
    return session.scalars(stmt).first()


def media(session: Session, *, slug: str, version_number: int, path: str) -> CourseMedia | None:
    stmt = (
        select(CourseMedia)
        .join(CourseVersion, CourseMedia.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .where(Course.slug == slug, CourseVersion.number == version_number, CourseMedia.path == path)
    )
    return session.scalars(stmt).first()


def lesson(session: Session, lesson_id: int) -> Lesson | None:
    stmt = select(Lesson).options(joinedload(Lesson.module)).where(Lesson.id == lesson_id)
    return session.scalars(stmt).first()


def quiz(session: Session, quiz_id: int) -> Quiz | None:
    return session.get(Quiz, quiz_id)


def outlines(session: Session, version_ids: list[int]) -> dict[int, CourseVersion]:
    if not version_ids:
        return {}
    stmt = (
        select(CourseVersion)
        .where(CourseVersion.id.in_(version_ids))
        .options(
            joinedload(CourseVersion.course),
            selectinload(CourseVersion.modules).selectinload(Module.lessons),
            selectinload(CourseVersion.quizzes),
        )
    )
    return {v.id: v for v in session.scalars(stmt)}
