from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.accounts.deps import ApiUser
from app.catalog.deps import ApiCourse
from app.core.db import ReadSession, TransactionRoute, WriteSession
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
    seen = learning.overview(db, user_id=user.id, current=current)
    is_open = evaluations.is_open(db, enrollment=enrollment, version=seen.version)
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
        for s in evaluations.states(db, enrollment=enrollment, version=seen.version)
    ]


@router.post("/courses/{slug}/evaluations/{form_id}", response_model=EvaluationOut)
def submit(
    db: WriteSession,
    user: ApiUser,
    current: ApiCourse,
    form_id: str,
    body: EvaluationIn,
) -> EvaluationOut:
    enrollment = learning.require_enrollment(db, user=user, course_id=current.course_id)
    version = learning.overview(db, user_id=user.id, current=current).version
    evaluations.submit(
        db,
        enrollment=enrollment,
        version=version,
        form_id=form_id,
        answers=body.answers,
        comment=body.comment,
    )
    return EvaluationOut(form_id=form_id, submitted=True)
