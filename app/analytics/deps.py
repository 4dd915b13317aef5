"""Load-and-authorise: a course whose figures the caller may read.

- gain and evaluation summaries (HR reports): HR (her own scope) and admins;
- item analysis: the trainers of the course and admins. Someone with the trainer role who does
  not teach the course is told it does not exist (404); other roles are refused (403)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.accounts.deps import ApiHrUser, api_roles, page_roles
from app.core.db import ReadSession
from app.core.errors import NotFound
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import User


def course_for_api(slug: str, db: ReadSession, user: ApiHrUser) -> Outline:
    """The role is checked first (by ApiHrUser), so a learner learns nothing, not even
    whether the course exists."""
    return courses.published_course(db, slug=slug)


ApiAnalyticsCourse = Annotated[Outline, Depends(course_for_api)]

ApiTrainerUser = Annotated[User, Depends(api_roles("trainer", "admin"))]
PageTrainerUser = Annotated[User, Depends(page_roles("trainer", "admin"))]


def may_analyse(session: Session, *, user: User, course: Outline) -> bool:
    """Whether the user may read the course's item analysis (admins: every course)."""
    return user.has_role("admin")


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
