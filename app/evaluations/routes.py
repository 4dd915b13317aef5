from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import verify_csrf
from app.core.db import ReadSession, TransactionRoute
from app.core.templating import render
from app.courses.outline import Outline
from app.evaluations import service as evaluations
from app.learning.deps import PageEnrolled

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/courses",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


@router.get("/{slug}/evaluations/{form_id}", response_class=HTMLResponse)
def evaluation_form(
    request: Request,
    db: ReadSession,
    enrolled: PageEnrolled,
    form_id: str,
    trainer: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """The form; the trainer form is about one trainer of the learner's run (`trainer`)."""
    state = evaluations.state_of(
        db,
        enrollment=enrolled.enrollment,
        version=enrolled.version,
        form_id=form_id,
        trainer_id=trainer,
    )
    return render_form(
        request,
        enrolled.version,
        state.form,
        submitted=state.submitted,
        is_open=evaluations.is_open(db, enrollment=enrolled.enrollment, version=enrolled.version),
        trainer=state.trainer,
    )


def render_form(
    request: Request,
    version: Outline,
    form: Mapping[str, Any],
    *,
    submitted: bool,
    is_open: bool,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    comment: object = None,
    status_code: int = 200,
    trainer: evaluations.TrainerRef | None = None,
) -> Response:
    """The evaluation form page: shown empty, or again with the answers and the error."""
    return render(
        request,
        "evaluations/form.html",
        {
            "course": version.course,
            "version": version,
            "form": form,
            "scale": evaluations.SCALE,
            "submitted": submitted,
            "open": is_open,
            "values": values or {},
            "error": error,
            "comment": comment,
            "trainer": trainer,
        },
        status_code=status_code,
    )


async def form_data(request: Request) -> FormData:
    return await request.form()
