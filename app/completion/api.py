"""The API actions that can complete a course (see app/completion/routes.py)."""

from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.assessments import service as assessments
from app.assessments.deps import ApiAttempt
from app.completion import service as completion
from app.core.db import TransactionRoute, WriteSession
from app.courses.deps import ApiCourse
from app.evaluations.api import EvaluationIn, EvaluationOut
from app.learning import service as learning
from app.learning.deps import ApiLesson
from app.learning.schemas import CompletionOut, QuestionResultOut, SubmissionOut

router = APIRouter(route_class=TransactionRoute, tags=["learning"])


@router.post("/lessons/{lesson_id}/completion", response_model=CompletionOut)
def complete_lesson(db: WriteSession, found: ApiLesson) -> CompletionOut:
    row = completion.complete_lesson(
        db,
        enrollment=found.enrolled.enrollment,
        version=found.enrolled.version,
        module=found.module,
        lesson=found.lesson,
    )
    db.refresh(found.enrolled.enrollment)
    return CompletionOut(
        lesson_id=found.lesson.id,
        completed=True,
        completed_at=row.completed_at,
        course_status=found.enrolled.enrollment.status,
    )


@router.post(
    "/attempts/{attempt_id}/submission",
    response_model=SubmissionOut,
    response_model_exclude_none=True,  # withheld feedback is absent, not null (PRODUCT.md §5)
)
def submit_attempt(db: WriteSession, attempt: ApiAttempt) -> SubmissionOut:
    graded = completion.submit_attempt(db, attempt_id=attempt.id)
    shown = assessments.feedback_of(db, attempt=graded) is None
    by_key = assessments.questions_of(db, graded)  # the cached outline's, not the pool's rows
    results = graded.results or {}
    return SubmissionOut(
        id=graded.id,
        status=graded.status,
        score=graded.score or 0.0,
        passed=bool(graded.passed),
        questions=[
            QuestionResultOut(
                id=item["key"],
                correct=results.get(item["key"], False) if shown else None,
                explanation=by_key[item["key"]].explanation if shown else None,
            )
            for item in graded.paper
        ],
        course_status=graded.enrollment.status,
        feedback=shown,
    )


@router.post("/courses/{slug}/evaluations/{form_id}", response_model=EvaluationOut)
def submit_evaluation(
    db: WriteSession,
    user: ApiUser,
    current: ApiCourse,
    form_id: str,
    body: EvaluationIn,
) -> EvaluationOut:
    enrollment = learning.require_enrollment(db, user=user, course_id=current.course_id)
    version = learning.version_for(db, enrollment=enrollment, current=current)
    completion.submit_evaluation(
        db,
        enrollment=enrollment,
        version=version,
        form_id=form_id,
        answers=body.answers,
        comment=body.comment,
        trainer_id=body.trainer,
    )
    return EvaluationOut(form_id=form_id, submitted=True, trainer=body.trainer)
