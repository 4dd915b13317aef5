"""The page actions that can complete a course: a lesson marked done, a quiz submitted, an
evaluation filled. Each goes through app.completion, which decides what follows."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import verify_csrf
from app.assessments.deps import PageAttempt
from app.assessments.routes import attempt_url
from app.completion import service as completion
from app.core.db import TransactionRoute, WriteSession
from app.core.errors import AppError, Conflict
from app.core.templating import redirect
from app.core.text import is_ascii_digits
from app.evaluations import service as evaluations
from app.evaluations.routes import form_data, render_form
from app.learning import service as learning
from app.learning.deps import PageEnrolled, PageLesson
from app.learning.routes import lesson_url

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/courses",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


@router.post("/{slug}/lessons/{module}/{lesson}/complete")
def lesson_complete(db: WriteSession, found: PageLesson) -> Response:
    version = found.enrolled.version
    slug = version.course.slug
    try:
        completion.complete_lesson(
            db,
            enrollment=found.enrolled.enrollment,
            version=version,
            module=found.module,
            lesson=found.lesson,
        )
    except Conflict as exc:  # the pre-test first: the lesson page shows the way there
        return redirect(lesson_url(slug, found.module.slug, found.lesson.slug), flash=exc.message)
    _, following = learning.neighbours(version, found.lesson)
    if following is not None:
        return redirect(
            lesson_url(slug, following[0].slug, following[1].slug),
            flash="Pelajaran ditandai selesai.",
        )
    return redirect(f"/courses/{slug}", flash="Semua pelajaran modul terakhir selesai.")


@router.post("/{slug}/attempts/{attempt_id}/submit")
def attempt_submit(db: WriteSession, enrolled: PageEnrolled, attempt: PageAttempt) -> Response:
    completion.submit_attempt(db, attempt_id=attempt.id)
    return redirect(f"{attempt_url(enrolled.version.course.slug, attempt.id)}/result")


@router.post("/{slug}/evaluations/{form_id}", response_class=HTMLResponse)
def evaluation_submit(
    db: WriteSession,
    request: Request,
    enrolled: PageEnrolled,
    form_id: str,
    data: Annotated[FormData, Depends(form_data)],
) -> Response:
    raw_trainer = data.get("trainer")
    trainer_id = (
        int(raw_trainer)
        if isinstance(raw_trainer, str) and is_ascii_digits(raw_trainer) and len(raw_trainer) < 10
        else None
    )
    state = evaluations.state_of(
        db,
        enrollment=enrolled.enrollment,
        version=enrolled.version,
        form_id=form_id,
        trainer_id=trainer_id,
    )
    form = state.form
    answers = {
        q["id"]: data.get(f"q-{q['id']}") for q in form["questions"] if data.get(f"q-{q['id']}")
    }
    comment = data.get("comment")
    try:
        completion.submit_evaluation(
            db,
            enrollment=enrolled.enrollment,
            version=enrolled.version,
            form_id=form_id,
            answers=answers,
            comment=comment if isinstance(comment, str) else None,
            trainer_id=trainer_id,
        )
    except AppError as exc:
        return render_form(
            request,
            enrolled.version,
            form,
            submitted=False,
            is_open=True,
            values=answers,
            error=exc.message,
            comment=comment,
            status_code=exc.status_code,
            trainer=state.trainer,
        )
    return redirect(
        f"/courses/{enrolled.version.course.slug}", flash="Terima kasih atas evaluasi Anda."
    )
