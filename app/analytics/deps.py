"""Load-and-authorise: a course whose figures the caller may read.

- gain and evaluation summaries: HR (her own scope), admins, and the trainers of the course
  (app/courses/teaching.py is the rule);
- item analysis: the trainers of the course and admins. Someone with the trainer role who does
  not teach the course is told it does not exist (404); other roles are refused (403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import api_roles, page_roles
from app.core.db import ReadSession
from app.core.errors import NotFound
from app.courses import service as courses
from app.courses import teaching
from app.courses.outline import Outline
from app.models import User

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


def may_analyse(session: Session, *, user: User, course: Outline) -> bool:
    """Whether the user may read the course's item analysis (admins: every course)."""
    return teaching.teaches(session, user=user, course_id=course.course_id)


def _taught(db: Session, user: User, slug: str) -> Outline:
    course = courses.published_course(db, slug=slug)
    if not may_analyse(db, user=user, course=course):
        raise NotFound("Kursus tidak ditemukan.")
    return course


def taught_course_for_api(slug: str, db: ReadSession, user: ApiTrainerUser) -> Outline:
    return _taught(db, user, slug)


def taught_course_for_page(slug: str, db: ReadSession, user: PageTrainerUser) -> Outline:
    return _taught(db, user, slug)


ApiTaughtCourse = Annotated[Outline, Depends(taught_course_for_api)]
PageTaughtCourse = Annotated[Outline, Depends(taught_course_for_page)]
