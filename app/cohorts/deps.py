from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import HrUser
from app.cohorts import service
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import CourseRun


def run_for_hr(run_id: RowId, db: ReadSession, user: HrUser) -> CourseRun:
    return service.get_for_hr(db, viewer=user, run_id=run_id)


HrRun = Annotated[CourseRun, Depends(run_for_hr)]
