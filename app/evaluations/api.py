from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts.deps import ApiUser
from app.core.db import ReadSession, TransactionRoute
from app.courses.deps import ApiCourse
from app.evaluations import service as evaluations
from app.learning import service as learning

router = APIRouter(route_class=TransactionRoute, tags=["evaluations"])


class EvaluationQuestionOut(BaseModel):
    id: str
    text: str
    scale: list[int] = [1, 5]


class TrainerStateOut(BaseModel):
    id: int
    name: str
    submitted: bool


class EvaluationFormOut(BaseModel):
    id: str
    title: str
    questions: list[EvaluationQuestionOut]
    submitted: bool  # the trainer form: filled for every trainer of the learner's run
    open: bool
    # the trainer form of a run with trainers: filled once per trainer (POST with `trainer`)
    trainers: list[TrainerStateOut] = []


class EvaluationIn(BaseModel):
    answers: dict[str, Any]
    comment: str | None = Field(default=None, max_length=evaluations.MAX_COMMENT)
    trainer: int | None = Field(default=None, ge=1, le=2**31 - 1)  # the trainer form: about whom


class EvaluationOut(BaseModel):
    form_id: str
    submitted: bool
    trainer: int | None = None


@router.get("/courses/{slug}/evaluations", response_model=list[EvaluationFormOut])
def forms(db: ReadSession, user: ApiUser, current: ApiCourse) -> list[EvaluationFormOut]:
    enrollment = learning.require_enrollment(db, user=user, course_id=current.course_id)
    version = learning.version_for(db, enrollment=enrollment, current=current)
    is_open = evaluations.is_open(db, enrollment=enrollment, version=version)
    by_form: dict[str, list[evaluations.FormState]] = {}
    for s in evaluations.states(db, enrollment=enrollment, version=version):
        by_form.setdefault(s.form["id"], []).append(s)
    return [
        EvaluationFormOut(
            id=found[0].form["id"],
            title=found[0].form["title"],
            submitted=all(s.submitted for s in found),
            open=is_open,
            questions=[
                EvaluationQuestionOut(id=q["id"], text=q["text"])
                for q in found[0].form["questions"]
            ],
            trainers=[
                TrainerStateOut(id=s.trainer.id, name=s.trainer.name, submitted=s.submitted)
                for s in found
                if s.trainer is not None
            ],
        )
        for found in by_form.values()
    ]
