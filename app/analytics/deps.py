"""Load-and-authorise: a course whose figures the caller may read. HR (her own scope), admins,
and the trainers of the course (app/courses/teaching.py is the rule)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import api_roles
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
