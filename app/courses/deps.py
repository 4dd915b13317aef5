"""Load a published course from the URL (any logged-in user may read the catalogue)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiUser, PagePrincipal
from app.core.db import ReadSession
from app.courses import service
from app.courses.outline import Outline


def course_for_page(slug: str, db: ReadSession, principal: PagePrincipal) -> Outline:
    return service.published_course(db, slug=slug)


def course_for_api(slug: str, db: ReadSession, user: ApiUser) -> Outline:
    return service.published_course(db, slug=slug)


PageCourse = Annotated[Outline, Depends(course_for_page)]
ApiCourse = Annotated[Outline, Depends(course_for_api)]
