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


class EvaluationFormOut(BaseModel):
    id: str
    title: str
    questions: list[EvaluationQuestionOut]
    submitted: bool
    open: bool


class EvaluationIn(BaseModel):
    answers: dict[str, Any]
    comment: str | None = Field(default=None, max_length=evaluations.MAX_COMMENT)


class EvaluationOut(BaseModel):
    form_id: str
    submitted: bool


@router.get("/courses/{slug}/evaluations", response_model=list[EvaluationFormOut])
def forms(db: ReadSession, user: ApiUser, current: ApiCourse) -> list[EvaluationFormOut]:
    enrollment = learning.require_enrollment(db, user=user, course_id=current.course_id)
    version = learning.version_for(db, enrollment=enrollment, current=current)
    is_open = evaluations.is_open(db, enrollment=enrollment, version=version)
    return [
        EvaluationFormOut(
            id=s.form["id"],
            title=s.form["title"],
            submitted=s.submitted,
            open=is_open,
            questions=[
                EvaluationQuestionOut(id=q["id"], text=q["text"]) for q in s.form["questions"]
            ],
        )
        for s in evaluations.states(db, enrollment=enrollment, version=version)
    ]
