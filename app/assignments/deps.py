from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser, HrUser
from app.assignments import service
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import Assignment, Notice


def assignment_for_page(assignment_id: RowId, db: ReadSession, user: HrUser) -> Assignment:
    return service.get_for_hr(db, viewer=user, assignment_id=assignment_id)


PageAssignment = Annotated[Assignment, Depends(assignment_for_page)]


def notice_for_page(notice_id: RowId, db: ReadSession, user: CurrentUser) -> Notice:
    return service.notice_of(db, user=user, notice_id=notice_id)


PageNotice = Annotated[Notice, Depends(notice_for_page)]
