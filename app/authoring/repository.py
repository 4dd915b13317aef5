"""Queries for drafts (the browser editor's unpublished course files)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.core import clock
from app.core.db import lock_for_update
from app.models import CourseDraft, CourseDraftFile, Question, Quiz
from app.models.course import CourseVersion


def draft_by_id(session: Session, draft_id: int, *, for_update: bool = False) -> CourseDraft | None:
    stmt = select(CourseDraft).where(CourseDraft.id == draft_id)
    if for_update:
        stmt = lock_for_update(stmt)
    return session.scalar(stmt)


def draft_by_slug(session: Session, slug: str) -> CourseDraft | None:
    return session.scalar(select(CourseDraft).where(CourseDraft.slug == slug))


def drafts_by_ids(session: Session, course_ids: set[int] | None) -> Sequence[CourseDraft]:
    """Drafts of these courses (None: every draft), newest first."""
    stmt = select(CourseDraft).order_by(CourseDraft.created_at.desc())
    if course_ids is not None:
        stmt = stmt.where(CourseDraft.course_id.in_(course_ids))
    return session.scalars(stmt).all()


def new_course_drafts(session: Session, *, created_by_id: int | None) -> Sequence[CourseDraft]:
    """Drafts of courses not published yet, by this author (None: by anyone)."""
    stmt = select(CourseDraft).where(CourseDraft.course_id.is_(None))
    if created_by_id is not None:
        stmt = stmt.where(CourseDraft.created_by_id == created_by_id)
    return session.scalars(stmt.order_by(CourseDraft.created_at.desc())).all()


def draft_files(session: Session, draft_id: int) -> Sequence[CourseDraftFile]:
    return session.scalars(
        select(CourseDraftFile)
        .where(CourseDraftFile.draft_id == draft_id)
        .order_by(CourseDraftFile.path)
    ).all()


def draft_file(session: Session, draft_id: int, path: str) -> CourseDraftFile | None:
    return session.scalar(
        select(CourseDraftFile).where(
            CourseDraftFile.draft_id == draft_id, CourseDraftFile.path == path
        )
    )


def compare_and_save(
    session: Session,
    *,
    draft_id: int,
    path: str,
    content: bytes,
    revision: int,
    user_id: int | None,
) -> bool:
    """Write the file only if it is still at `revision` (one atomic UPDATE): False when another
    save came first or the file is gone."""
    result = session.execute(
        update(CourseDraftFile)
        .where(
            CourseDraftFile.draft_id == draft_id,
            CourseDraftFile.path == path,
            CourseDraftFile.revision == revision,
        )
        .values(
            content=content,
            revision=CourseDraftFile.revision + 1,
            updated_by_id=user_id,
            updated_at=clock.now(),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def compare_and_delete(session: Session, *, draft_id: int, path: str, revision: int) -> bool:
    result = session.execute(
        delete(CourseDraftFile)
        .where(
            CourseDraftFile.draft_id == draft_id,
            CourseDraftFile.path == path,
            CourseDraftFile.revision == revision,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def question_keys_ever(session: Session, course_id: int) -> set[str]:
    """Every question id any published version of the course has used."""
    rows = session.scalars(
        select(Question.key)
        .join(Quiz, Quiz.id == Question.quiz_id)
        .join(CourseVersion, CourseVersion.id == Quiz.version_id)
        .where(CourseVersion.course_id == course_id)
        .distinct()
    )
    return set(rows)


def draft_size(session: Session, draft_id: int) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(func.length(CourseDraftFile.content)), 0)).where(
            CourseDraftFile.draft_id == draft_id
        )
    )
    return int(total or 0)
