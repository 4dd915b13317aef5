"""Every query of the trainer pages: a run's learners, their lesson progress and attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, contains_eager

from app.models import Attempt, CourseRun, CourseRunTrainer, Enrollment, LessonProgress, User


def run_sizes(session: Session, run_ids: list[int]) -> dict[int, int]:
    if not run_ids:
        return {}
    stmt = (
        select(Enrollment.run_id, func.count(Enrollment.id))
        .where(Enrollment.run_id.in_(run_ids))
        .group_by(Enrollment.run_id)
    )
    return {run_id: n for run_id, n in session.execute(stmt).all()}


def runs_trained_by(session: Session, *, course_id: int, user_id: int) -> Sequence[CourseRun]:
    stmt = (
        select(CourseRun)
        .join(CourseRunTrainer, CourseRunTrainer.run_id == CourseRun.id)
        .where(CourseRun.course_id == course_id, CourseRunTrainer.user_id == user_id)
        .order_by(CourseRun.is_open.desc(), CourseRun.starts_on.desc(), CourseRun.id.desc())
    )
    return list(session.scalars(stmt))


def run_enrollments(session: Session, run_id: int) -> Sequence[Enrollment]:
    stmt = (
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.run_id == run_id)
        .options(contains_eager(Enrollment.user))
        .order_by(User.name, User.id)
    )
    return list(session.scalars(stmt))


def last_lesson_at(session: Session, enrollment_ids: list[int]) -> dict[int, datetime]:
    if not enrollment_ids:
        return {}
    stmt = (
        select(LessonProgress.enrollment_id, func.max(LessonProgress.completed_at))
        .where(LessonProgress.enrollment_id.in_(enrollment_ids))
        .group_by(LessonProgress.enrollment_id)
    )
    return {e: at for e, at in session.execute(stmt).all() if at is not None}


def attempt_summary(
    session: Session, enrollment_ids: list[int]
) -> dict[int, tuple[datetime | None, int, bool]]:
    """Per enrolment: the last attempt start or submission, the failed post-tests and whether a
    post-test passed."""
    if not enrollment_ids:
        return {}
    failed = case(
        (
            (Attempt.kind == "posttest")
            & (Attempt.status != "in_progress")
            & (Attempt.passed.is_(False)),
            1,
        ),
        else_=0,
    )
    passed = case(((Attempt.kind == "posttest") & (Attempt.passed.is_(True)), 1), else_=0)
    stmt = (
        select(
            Attempt.enrollment_id,
            func.max(func.coalesce(Attempt.submitted_at, Attempt.started_at)),
            func.sum(failed),
            func.max(passed),
        )
        .where(Attempt.enrollment_id.in_(enrollment_ids))
        .group_by(Attempt.enrollment_id)
    )
    return {e: (at, int(f or 0), bool(p)) for e, at, f, p in session.execute(stmt).all()}


def enrollment_in_run(session: Session, *, run_id: int, enrollment_id: int) -> Enrollment | None:
    stmt = (
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.id == enrollment_id, Enrollment.run_id == run_id)
        .options(contains_eager(Enrollment.user))
    )
    return session.scalars(stmt).first()


def enrollments_in_run(
    session: Session, *, run_id: int, enrollment_ids: list[int]
) -> Sequence[Enrollment]:
    if not enrollment_ids:
        return []
    stmt = (
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.id.in_(enrollment_ids), Enrollment.run_id == run_id)
        .options(contains_eager(Enrollment.user))
    )
    return list(session.scalars(stmt))


def attempts_with_quiz(session: Session, enrollment_id: int) -> Sequence[Attempt]:
    stmt = (
        select(Attempt)
        .where(Attempt.enrollment_id == enrollment_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    return list(session.scalars(stmt))
