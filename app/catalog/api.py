from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.catalog import service
from app.catalog.schemas import CourseOut, LessonOut, ModuleOut, OutlineOut, QuizOut
from app.core.db import ReadSession, TransactionRoute
from app.courses.deps import ApiCourse
from app.learning import service as learning

router = APIRouter(route_class=TransactionRoute, tags=["courses"])


@router.get("/courses", response_model=list[CourseOut])
def list_courses(
    db: ReadSession,
    user: ApiUser,
    q: str | None = None,
    area: str | None = None,
    level: str | None = None,
) -> list[CourseOut]:
    return [
        CourseOut(
            slug=e.course.slug,
            code=e.course.code,
            title=e.version.title,
            summary=e.version.summary,
            jp=e.version.jp,
            version=e.version.number,
            competency_area=e.version.competency_area,
            level=e.version.level,
        )
        for e in service.search(db, query=q, area=area, level=level)
    ]


@router.get("/courses/{slug}", response_model=OutlineOut)
def outline(db: ReadSession, user: ApiUser, current: ApiCourse) -> OutlineOut:
    """The outline of the version the caller is enrolled in (else the current one), with her
    completion of each lesson."""
    seen = service.overview(db, user_id=user.id, current=current)
    version, done = seen.version, seen.progress.completed
    return OutlineOut(
        slug=version.course.slug,
        code=version.course.code,
        title=version.title,
        summary=version.summary,
        jp=version.jp,
        version=version.number,
        passing_score=version.passing_score,
        max_attempts=version.max_attempts,
        modules=[
            ModuleOut(
                slug=m.slug,
                title=m.title,
                lessons=[
                    LessonOut(
                        id=les.id,
                        slug=les.slug,
                        title=les.title,
                        minutes=les.minutes,
                        completed=learning.lesson_key(m, les) in done,
                    )
                    for les in m.lessons
                ],
            )
            for m in version.modules
        ],
        quizzes=[
            QuizOut(
                id=q.id,
                kind=q.kind,
                title=q.title,
                module=q.module_slug,
            )
            for q in version.quizzes
        ],
    )
