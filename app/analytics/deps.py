"""Load-and-authorise: a course whose figures the caller may read.

- gain and evaluation summaries: HR (her own scope), admins, and the trainers of the course
  (app/courses/teaching.py is the rule);
- item analysis: the trainers of the course and admins, and the trainers named on a run for
  that run's attempts (`run=`). Someone with the trainer role who may not read them is told the
  course does not exist (404); other roles are refused (403).
- a run in the query (`run=`) must belong to the course (404 otherwise)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Query
from sqlalchemy.orm import Session

from app.accounts.deps import api_roles, page_roles
from app.analytics import evaluation_results
from app.core.db import ReadSession
from app.core.errors import NotFound
from app.courses import runs, teaching
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import CourseRun, User

ApiFiguresUser = Annotated[User, Depends(api_roles("hr", "admin", "trainer"))]


def course_for_api(slug: str, db: ReadSession, user: ApiFiguresUser) -> Outline:
    """The role is checked first, so a learner learns nothing, not even whether the course
    exists; a trainer who does not teach the course gets 404 as if it did not exist."""
    course = courses.published_course(db, slug=slug)
    if user.has_role("hr", "admin"):
        return course
    if not teaching.teaches(db, user=user, course_id=course.course_id):
        raise NotFound("Kursus tidak ditemukan.")
    return course


ApiAnalyticsCourse = Annotated[Outline, Depends(course_for_api)]

ApiTrainerUser = Annotated[User, Depends(api_roles("trainer", "admin"))]
PageTrainerUser = Annotated[User, Depends(page_roles("trainer", "admin"))]
RunId = Annotated[int | None, Query(alias="run", ge=1, le=2**31 - 1)]


@dataclass(frozen=True)
class Taught:
    """A course (and maybe one of its runs) whose item analysis the caller may read."""

    course: Outline
    run: CourseRun | None


def run_of_course(session: Session, *, course: Outline, run_id: int | None) -> CourseRun | None:
    if run_id is None:
        return None
    run = runs.run_by_id(session, run_id)
    if run is None or run.course_id != course.course_id:
        raise NotFound("Angkatan tidak ditemukan.")
    return run


def may_analyse(session: Session, *, user: User, course: Outline, run: CourseRun | None) -> bool:
    """Trainers of the course (admins: every course), or of the run asked for."""
    if teaching.teaches(session, user=user, course_id=course.course_id):
        return True
    return run is not None and teaching.trains_run(session, user=user, run=run)


def _taught(db: Session, user: User, slug: str, run_id: int | None) -> Taught:
    course = courses.published_course(db, slug=slug)
    run = run_of_course(db, course=course, run_id=run_id)
    if not may_analyse(db, user=user, course=course, run=run):
        raise NotFound("Kursus tidak ditemukan.")
    return Taught(course, run)


def taught_for_api(slug: str, db: ReadSession, user: ApiTrainerUser, run: RunId = None) -> Taught:
    return _taught(db, user, slug, run)


def taught_for_page(slug: str, db: ReadSession, user: PageTrainerUser, run: RunId = None) -> Taught:
    return _taught(db, user, slug, run)


ApiTaught = Annotated[Taught, Depends(taught_for_api)]
PageTaught = Annotated[Taught, Depends(taught_for_page)]


def run_for_trainer_page(
    run_id: Annotated[int, Path(ge=1, le=2**31 - 1)], db: ReadSession, user: PageTrainerUser
) -> CourseRun:
    """A run whose figures the trainer reads: she teaches its course or is named on it."""
    run = runs.run_by_id(db, run_id)
    if run is None or not teaching.trains_run(db, user=user, run=run):
        raise NotFound("Angkatan tidak ditemukan.")
    return run


PageTrainedRun = Annotated[CourseRun, Depends(run_for_trainer_page)]

ApiResultsUser = Annotated[User, Depends(api_roles("trainer", "hr", "admin"))]
PageResultsUser = Annotated[User, Depends(page_roles("trainer", "hr", "admin"))]


def _results_course(db: Session, user: User, slug: str) -> Outline:
    course = courses.published_course(db, slug=slug)
    evaluation_results.reader_of(db, viewer=user, course_id=course.course_id)  # or NotFound
    return course


def results_course_for_api(slug: str, db: ReadSession, user: ApiResultsUser) -> Outline:
    return _results_course(db, user, slug)


def results_course_for_page(slug: str, db: ReadSession, user: PageResultsUser) -> Outline:
    return _results_course(db, user, slug)


ApiResultsCourse = Annotated[Outline, Depends(results_course_for_api)]
PageResultsCourse = Annotated[Outline, Depends(results_course_for_page)]


def run_for_gain(
    course: ApiAnalyticsCourse, db: ReadSession, run: RunId = None
) -> CourseRun | None:
    """`run=` of the gain API: a run of that course (the course's own check has passed)."""
    return run_of_course(db, course=course, run_id=run)


ApiGainRun = Annotated[CourseRun | None, Depends(run_for_gain)]
