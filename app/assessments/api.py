from fastapi import APIRouter

from app.assessments import service as assessments
from app.assessments.deps import ApiAttempt
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.learning.deps import ApiQuiz
from app.learning.schemas import (
    AnswerIn,
    AnswerOut,
    AttemptOut,
    ChoiceOut,
    QuestionOut,
)
from app.models import Attempt

router = APIRouter(route_class=TransactionRoute, tags=["assessments"])


def _attempt_out(db: ReadSession, attempt: Attempt) -> AttemptOut:
    paper = assessments.paper(db, attempt=attempt)
    return AttemptOut(
        id=attempt.id,
        quiz_id=attempt.quiz_id,
        kind=attempt.kind,
        number=attempt.number,
        status=attempt.status,
        deadline=attempt.deadline,
        questions=[
            QuestionOut(
                id=p.question.key,
                type=p.question.type,
                text=p.question.text,
                choices=[ChoiceOut(**c) for c in p.choices],
            )
            for p in paper
        ],
        answers={p.question.key: p.response for p in paper if p.response is not None},
    )


@router.post("/quizzes/{quiz_id}/attempts", response_model=AttemptOut)
def start_attempt(db: WriteSession, found: ApiQuiz) -> AttemptOut:
    """Start an attempt or resume the one in progress (idempotent)."""
    attempt = assessments.start_attempt(db, enrollment=found.enrolled.enrollment, quiz=found.quiz)
    return _attempt_out(db, attempt)


@router.put("/attempts/{attempt_id}/answers/{question_id}", response_model=AnswerOut)
def save_answer(
    db: WriteSession, attempt: ApiAttempt, question_id: str, body: AnswerIn
) -> AnswerOut:
    row = assessments.save_answer(
        db, attempt=attempt, question_key=question_id, response=body.response
    )
    return AnswerOut(
        question_id=question_id,
        response=row.response if row else None,
        saved_at=row.saved_at if row else None,
    )
