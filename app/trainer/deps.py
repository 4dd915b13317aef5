"""Load-and-authorise for the trainer pages: 404 for what the trainer does not teach."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import TrainerUser
from app.core.db import ReadSession
from app.core.params import RowId
from app.models import Course, CourseRun, Enrollment
from app.trainer import service


def course_for_trainer(slug: str, db: ReadSession, user: TrainerUser) -> Course:
    return service.course_for_trainer(db, user=user, slug=slug[:80])


TrainerCourse = Annotated[Course, Depends(course_for_trainer)]


def run_for_trainer(run_id: RowId, db: ReadSession, user: TrainerUser) -> CourseRun:
    return service.run_for_trainer(db, user=user, run_id=run_id)


TrainerRun = Annotated[CourseRun, Depends(run_for_trainer)]


def enrollment_for_trainer(enrollment_id: RowId, db: ReadSession, run: TrainerRun) -> Enrollment:
    return service.enrollment_for_trainer(db, run=run, enrollment_id=enrollment_id)


TrainerLearner = Annotated[Enrollment, Depends(enrollment_for_trainer)]
