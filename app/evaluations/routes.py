from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from app.accounts.deps import verify_csrf
from app.core.db import ReadSession, TransactionRoute
from app.core.templating import render
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


async def form_data(request: Request) -> FormData:
    return await request.form()
