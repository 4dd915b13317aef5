"""The widyaiswara's pages: my courses → a course's runs → a run's learners × modules, who is
stuck and a message to them → a learner's attempts, an extra attempt or more time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.accounts.deps import TrainerUser, verify_csrf
from app.assessments import service as assessments
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import Invalid
from app.core.templating import redirect, render
from app.models import CourseRun, Enrollment
from app.trainer import service
from app.trainer.deps import TrainerCourse, TrainerLearner, TrainerRun

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)

StuckDays = Annotated[str, Query(max_length=6)]


@router.get("/trainer", include_in_schema=False)
def trainer_root(user: TrainerUser) -> Response:
    return RedirectResponse("/trainer/", status_code=303)


@router.get("/trainer/", response_class=HTMLResponse)
def my_courses(request: Request, db: ReadSession, user: TrainerUser) -> Response:
    return render(
        request, "trainer/courses.html", {"courses": service.taught_courses(db, user=user)}
    )


@router.get("/trainer/courses/{slug}", response_class=HTMLResponse)
def course_runs(
    request: Request, db: ReadSession, user: TrainerUser, course: TrainerCourse
) -> Response:
    return render(
        request,
        "trainer/course.html",
        {
            "course": course,
            "version": course.current_version,
            "runs": service.runs_of_course(db, user=user, course=course),
        },
    )


def _run_page(
    request: Request,
    db: ReadSession,
    run: CourseRun,
    *,
    stuck_days: str = "",
    error: str | None = None,
    form: dict[str, object] | None = None,
) -> Response:
    board = service.board(db, run=run, stuck_days=service.stuck_days_of(stuck_days))
    return render(
        request,
        "trainer/run.html",
        {"board": board, "error": error, "form": form or {}},
        status_code=422 if error else 200,
    )


@router.get("/trainer/runs/{run_id}", response_class=HTMLResponse)
def run_page(
    request: Request,
    db: ReadSession,
    user: TrainerUser,
    run: TrainerRun,
    stuck_days: StuckDays = "",
) -> Response:
    return _run_page(request, db, run, stuck_days=stuck_days)


@router.post("/trainer/runs/{run_id}/message", response_class=HTMLResponse)
def message(
    request: Request,
    db: WriteSession,
    user: TrainerUser,
    run: TrainerRun,
    learners: Annotated[list[int] | None, Form()] = None,
    text: Annotated[str, Form(max_length=service.MAX_MESSAGE + 100)] = "",
    stuck_days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    chosen = [i for i in (learners or []) if 0 < i < 2**31][:500]
    try:
        sent = service.message_learners(db, actor=user, run=run, enrollment_ids=chosen, text=text)
    except Invalid as exc:
        form: dict[str, object] = {"learners": chosen, "text": text}
        return _run_page(request, db, run, stuck_days=stuck_days, error=exc.message, form=form)
    parts = [f"{sent.emails} lewat email"]
    if sent.notices:
        parts.append(f"{sent.notices} sebagai pemberitahuan di Cakap (tanpa alamat email)")
    query = f"?stuck_days={service.stuck_days_of(stuck_days)}"
    return redirect(f"/trainer/runs/{run.id}{query}", flash="Pesan dikirim: " + ", ".join(parts))


def _learner_page(
    request: Request,
    db: ReadSession,
    run: CourseRun,
    enrollment: Enrollment,
    *,
    error: str | None = None,
) -> Response:
    return render(
        request,
        "trainer/learner.html",
        {
            "run": run,
            "enrollment": enrollment,
            "attempts": service.learner_attempts(db, enrollment=enrollment),
            "quizzes": service.grantable_quizzes(db, enrollment=enrollment),
            "error": error,
            "max_attempts": service.MAX_EXTRA_ATTEMPTS,
            "max_minutes": service.MAX_EXTRA_MINUTES,
        },
        status_code=422 if error else 200,
    )


@router.get("/trainer/runs/{run_id}/learners/{enrollment_id}", response_class=HTMLResponse)
def learner_page(
    request: Request, db: ReadSession, user: TrainerUser, run: TrainerRun, learner: TrainerLearner
) -> Response:
    return _learner_page(request, db, run, learner)


@router.post(
    "/trainer/runs/{run_id}/learners/{enrollment_id}/allowance", response_class=HTMLResponse
)
def grant_allowance(
    request: Request,
    db: WriteSession,
    user: TrainerUser,
    run: TrainerRun,
    learner: TrainerLearner,
    quiz: Annotated[str, Form(max_length=20)] = "",
    extra_attempts: Annotated[str, Form(max_length=4)] = "",
    extra_minutes: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    try:
        attempts = service.parse_small(
            extra_attempts, label="Tambahan kesempatan", maximum=service.MAX_EXTRA_ATTEMPTS
        )
        minutes = service.parse_small(
            extra_minutes, label="Tambahan menit", maximum=service.MAX_EXTRA_MINUTES
        )
        assessments.grant(
            db,
            enrollment=learner,
            quiz_key=quiz,
            extra_attempts=attempts,
            extra_minutes=minutes,
            actor=user,
        )
    except Invalid as exc:
        return _learner_page(request, db, run, learner, error=exc.message)
    return redirect(
        f"/trainer/runs/{run.id}/learners/{learner.id}",
        flash=f"Tambahan untuk {learner.user.name} disimpan.",
    )
