"""Pages for external training: the learner's own list and form, HR's verification queue."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, HrUser, verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.params import RowId
from app.core.templating import redirect, render
from app.models import ExternalTraining
from app.training import service as training

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def training_for_viewer(training_id: RowId, db: ReadSession, user: CurrentUser) -> ExternalTraining:
    return training.get_for(db, training_id=training_id, viewer=user)


Visible = Annotated[ExternalTraining, Depends(training_for_viewer)]


@router.get("/training/external", response_class=HTMLResponse)
def my_external(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    return render(
        request, "training/mine.html", {"rows": training.of_user(db, user=user), "form": {}}
    )


@router.post("/training/external", response_class=HTMLResponse)
def add_external(
    db: WriteSession,
    request: Request,
    user: CurrentUser,
    certificate: Annotated[UploadFile, File()],
    title: Annotated[str, Form()] = "",
    organiser: Annotated[str, Form()] = "",
    start_date: Annotated[str, Form()] = "",
    end_date: Annotated[str, Form()] = "",
    jp: Annotated[str, Form()] = "",
) -> Response:
    form = training.ExternalIn(
        title=title, organiser=organiser, start_date=start_date, end_date=end_date, jp=jp
    )
    data = certificate.file.read(training.MAX_PDF_BYTES + 1)
    try:
        training.record(db, user=user, form=form, filename=certificate.filename or "", data=data)
    except AppError as exc:
        return render(
            request,
            "training/mine.html",
            {"rows": training.of_user(db, user=user), "form": form, "error": exc.message},
            status_code=422,
        )
    return redirect("/training/external", flash="Pelatihan dicatat dan menunggu verifikasi BKPSDM.")


@router.get("/training/external/{training_id}/certificate")
def external_certificate(row: Visible) -> Response:
    return Response(
        row.certificate,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="sertifikat-{row.id}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/hr/external", response_class=HTMLResponse)
def hr_queue(request: Request, db: ReadSession, user: HrUser) -> Response:
    return render(request, "training/queue.html", {"rows": training.pending_for_hr(db, hr=user)})


@router.post("/hr/external/{training_id}/review", response_class=HTMLResponse)
def hr_review(
    db: WriteSession,
    request: Request,
    user: HrUser,
    row: Visible,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    try:
        training.review(db, training=row, hr=user, approve=decision == "verify", note=note)
    except AppError as exc:
        return render(
            request,
            "training/queue.html",
            {"rows": training.pending_for_hr(db, hr=user), "error": exc.message},
            status_code=exc.status_code,
        )
    message = (
        "Pelatihan diverifikasi; JP-nya kini dihitung."
        if decision == "verify"
        else "Pelatihan ditolak."
    )
    return redirect("/hr/external", flash=message)
