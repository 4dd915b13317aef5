"""Quiz pages that work without JavaScript: one question per form post; with JavaScript the
same form also autosaves through the API on every change."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import verify_csrf
from app.assessments import grading
from app.assessments import service as assessments
from app.assessments.deps import PageAttempt
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError, Conflict
from app.core.params import MAX_PAGE, PageNumber
from app.core.templating import redirect, render
from app.learning.deps import PageEnrolled

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/courses",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)

KIND_TITLES = {"pretest": "Pre-test", "posttest": "Post-test", "module": "Kuis modul"}


def attempt_url(slug: str, attempt_id: int, q: int | None = None) -> str:
    return f"/courses/{slug}/attempts/{attempt_id}" + (f"?q={q}" if q else "")


@router.get("/{slug}/quiz/{kind}", response_class=HTMLResponse)
def quiz_page(
    request: Request, db: ReadSession, enrolled: PageEnrolled, kind: str, module: str | None = None
) -> Response:
    quiz = assessments.quiz_of(enrolled.version, kind=kind, module_slug=module)
    previous = assessments.attempts_of(db, enrollment=enrolled.enrollment, quiz=quiz)
    granted = assessments.allowed(db, enrollment_id=enrolled.enrollment.id, quiz=quiz)
    limit = assessments.start_blocked(
        quiz=quiz,
        attempts=previous,
        max_attempts=enrolled.version.max_attempts,
        extra=granted.extra_attempts,
    )
    order = assessments.order_blocked(
        db, enrollment=enrolled.enrollment, version=enrolled.version, quiz=quiz
    )
    return render(
        request,
        "assessments/quiz.html",
        {
            "version": enrolled.version,
            "course": enrolled.version.course,
            "quiz": quiz,
            "attempts": previous,
            "enrollment": enrolled.enrollment,
            "kind_title": KIND_TITLES[quiz.kind],
            "open_attempt": next((a for a in previous if a.status == "in_progress"), None),
            "blocked": limit or order,
            "out_of_order": order is not None and limit is None,
            "module_slug": module,
            "max_attempts": enrolled.version.max_attempts + granted.extra_attempts,
            "extra_minutes": granted.extra_minutes,
        },
    )


@router.post("/{slug}/quiz/{kind}/start", response_class=HTMLResponse)
def quiz_start(
    db: WriteSession,
    request: Request,
    enrolled: PageEnrolled,
    kind: str,
    module: Annotated[str, Form()] = "",
) -> Response:
    quiz = assessments.quiz_of(enrolled.version, kind=kind, module_slug=module or None)
    slug = enrolled.version.course.slug
    try:
        attempt = assessments.start_attempt(db, enrollment=enrolled.enrollment, quiz=quiz)
    except Conflict as exc:  # out of order or no attempts left: the quiz page says what next
        back = f"/courses/{slug}/quiz/{quiz.kind}" + (f"?module={module}" if module else "")
        return redirect(back, flash=exc.message)
    return redirect(attempt_url(slug, attempt.id))


@router.get("/{slug}/attempts/{attempt_id}", response_class=HTMLResponse)
def attempt_page(
    request: Request,
    db: ReadSession,
    enrolled: PageEnrolled,
    attempt: PageAttempt,
    q: PageNumber | None = None,
) -> Response:
    slug = enrolled.version.course.slug
    if attempt.status != "in_progress":
        return redirect(f"{attempt_url(slug, attempt.id)}/result")
    questions = assessments.paper(db, attempt=attempt)
    # Without ?q= (resuming), the first question not yet answered; the last when all are.
    index = min(max(q or assessments.first_unanswered(questions), 1), len(questions))
    return render(
        request,
        "assessments/attempt.html",
        {
            "course": enrolled.version.course,
            "attempt": attempt,
            "questions": questions,
            "index": index,
            "current": questions[index - 1],
            "expired": assessments.is_expired(attempt),
            "kind_title": KIND_TITLES[attempt.kind],
            "answered": sum(1 for p in questions if p.response is not None),
        },
    )


@router.post("/{slug}/attempts/{attempt_id}/answer", response_class=HTMLResponse)
def attempt_answer(
    db: WriteSession,
    request: Request,
    enrolled: PageEnrolled,
    attempt: PageAttempt,
    question: Annotated[str, Form()],
    goto: Annotated[int, Form(ge=-1, le=MAX_PAGE)] = 0,
    response: Annotated[list[str] | None, Form()] = None,
) -> Response:
    slug = enrolled.version.course.slug
    item = next((p for p in attempt.paper if p["key"] == question), None)
    index = next((i for i, p in enumerate(attempt.paper, 1) if p["key"] == question), 1)
    found = assessments.questions_of(db, attempt).get(question)
    qtype = found.type if found is not None else "single"
    value: object = None
    values = [v for v in (response or []) if v != ""]
    if item is not None and values:
        value = {
            "single": lambda: values[0],
            "multiple": lambda: values,
            "truefalse": lambda: values[0] == "true",
            "short": lambda: values[0],
        }[qtype]()
    try:
        assessments.save_answer(db, attempt=attempt, question_key=question, response=value)
    except AppError as exc:
        return redirect(attempt_url(slug, attempt.id, index), flash=exc.message)
    if goto == -1:
        return redirect(f"{attempt_url(slug, attempt.id)}/review")
    return redirect(attempt_url(slug, attempt.id, goto or index), flash="Jawaban tersimpan.")


@router.get("/{slug}/attempts/{attempt_id}/review", response_class=HTMLResponse)
def attempt_review(
    request: Request, db: ReadSession, enrolled: PageEnrolled, attempt: PageAttempt
) -> Response:
    questions = assessments.paper(db, attempt=attempt)
    return render(
        request,
        "assessments/review.html",
        {
            "course": enrolled.version.course,
            "attempt": attempt,
            "questions": questions,
            "kind_title": KIND_TITLES[attempt.kind],
            "unanswered": [i for i, p in enumerate(questions, 1) if p.response is None],
        },
    )


@router.get("/{slug}/attempts/{attempt_id}/result", response_class=HTMLResponse)
def attempt_result(
    request: Request, db: ReadSession, enrolled: PageEnrolled, attempt: PageAttempt
) -> Response:
    if attempt.status == "in_progress":
        return redirect(f"{attempt_url(enrolled.version.course.slug, attempt.id)}/review")
    withheld = assessments.feedback_of(db, attempt=attempt, version=enrolled.version)
    questions = [] if withheld else assessments.paper(db, attempt=attempt)
    return render(
        request,
        "assessments/result.html",
        {
            "withheld": withheld,
            "course": enrolled.version.course,
            "version": enrolled.version,
            "attempt": attempt,
            "questions": questions,
            "kind_title": KIND_TITLES[attempt.kind],
            "results": {} if withheld else attempt.results or {},
            "describe": grading.describe_correct,
            "enrollment": enrolled.enrollment,
        },
    )
