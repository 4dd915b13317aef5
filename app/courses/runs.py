"""Runs (*angkatan*) of a course: cohorts with a name, dates, trainers and learners.

Every course has exactly one open run, where self-paced learners are enrolled; it is made when
the course is imported (or on first need, for a course that predates runs). HR makes named
runs and enrols people into them (app/cohorts)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.models import CourseRun

OPEN_RUN_NAME = "Belajar mandiri"


def open_run(session: Session, *, course_id: int, today: date | None = None) -> CourseRun:
    """The course's open run, made on first need. Parallel first calls make one: the partial
    unique index (one open run per course) decides, and the loser reads the winner's row."""
    found = _open_run(session, course_id)
    if found is not None:
        return found
    run = CourseRun(
        course_id=course_id,
        name=OPEN_RUN_NAME,
        starts_on=today or clock.now().date(),
        is_open=True,
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        found = _open_run(session, course_id)
        if found is None:
            raise
        return found
    return run


def _open_run(session: Session, course_id: int) -> CourseRun | None:
    stmt = select(CourseRun).where(CourseRun.course_id == course_id, CourseRun.is_open.is_(True))
    return session.scalars(stmt).first()


def run_by_id(session: Session, run_id: int) -> CourseRun | None:
    return session.get(CourseRun, run_id)


def runs_of(session: Session, *, course_id: int) -> Sequence[CourseRun]:
    """A course's runs: the open run first, then the newest."""
    stmt = (
        select(CourseRun)
        .where(CourseRun.course_id == course_id)
        .order_by(CourseRun.is_open.desc(), CourseRun.starts_on.desc(), CourseRun.id.desc())
    )
    return list(session.scalars(stmt))
