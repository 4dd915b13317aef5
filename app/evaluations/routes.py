from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.templating import redirect, render
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
    request: Request, db: ReadSession, enrolled: PageEnrolled, form_id: str
) -> Response:
    form = evaluations.form_of(enrolled.version, form_id)
    states = {
        s.form["id"]: s.submitted
        for s in evaluations.states(db, enrollment=enrolled.enrollment, version=enrolled.version)
    }
    return render(
        request,
        "evaluations/form.html",
        {
            "course": enrolled.version.course,
            "version": enrolled.version,
            "form": form,
            "scale": evaluations.SCALE,
            "submitted": states.get(form_id, False),
            "open": evaluations.is_open(
                db, enrollment=enrolled.enrollment, version=enrolled.version
            ),
            "values": {},
        },
    )


async def _form_data(request: Request) -> FormData:
    return await request.form()


@router.post("/{slug}/evaluations/{form_id}", response_class=HTMLResponse)
def evaluation_submit(
    db: WriteSession,
    request: Request,
    enrolled: PageEnrolled,
    form_id: str,
    data: Annotated[FormData, Depends(_form_data)],
) -> Response:
    form = evaluations.form_of(enrolled.version, form_id)
    answers = {
        q["id"]: data.get(f"q-{q['id']}") for q in form["questions"] if data.get(f"q-{q['id']}")
    }
    comment = data.get("comment")
    try:
        evaluations.submit(
            db,
            enrollment=enrolled.enrollment,
            version=enrolled.version,
            form_id=form_id,
            answers=answers,
            comment=comment if isinstance(comment, str) else None,
        )
    except AppError as exc:
        return render(
            request,
            "evaluations/form.html",
            {
                "course": enrolled.version.course,
                "version": enrolled.version,
                "form": form,
                "scale": evaluations.SCALE,
                "submitted": False,
                "open": True,
                "error": exc.message,
                "values": answers,
                "comment": comment,
            },
            status_code=422 if exc.status_code == 422 else exc.status_code,
        )
    return redirect(
        f"/courses/{enrolled.version.course.slug}", flash="Terima kasih atas evaluasi Anda."
    )
