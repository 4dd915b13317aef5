"""Load-and-authorise: a course whose figures the caller may read. HR (her own scope) and
admins for now; the trainers of a course join when courses name their trainers (issue 13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiHrUser
from app.core.db import ReadSession
from app.courses import service as courses
from app.courses.outline import Outline


def course_for_api(slug: str, db: ReadSession, user: ApiHrUser) -> Outline:
    """The role is checked first (by ApiHrUser), so a learner learns nothing, not even
    whether the course exists."""
    return courses.published_course(db, slug=slug)


ApiAnalyticsCourse = Annotated[Outline, Depends(course_for_api)]
