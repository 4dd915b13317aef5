"""Pages for external training: the learner's own list and form, HR's verification queue."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import CurrentUser, HrUser, verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession, read_session, write_session
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


async def download_session(request: Request, row: Visible, user: CurrentUser) -> Session:
    """The owner's own download only reads; anyone else's is audited, so it writes."""
    if row.user_id == user.id:
        return await read_session(request)
    return await write_session(request)


def _mine(request: Request, db: ReadSession, user: CurrentUser, **context: object) -> Response:
    return render(
        request,
        "training/mine.html",
        {
            "rows": training.of_user(db, user=user),
            "form": {},
            "per_day": training.JP_PER_DAY,
            **context,
        },
        status_code=422 if "error" in context else 200,
    )


@router.get("/training/external", response_class=HTMLResponse)
def my_external(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    return _mine(request, db, user)


def uploaded_evidence(
    db: ReadSession, user: CurrentUser, certificate: Annotated[UploadFile, File()]
) -> training.Evidence:
    """Read and check the file before the write transaction (the signature check is slow)."""
    data = certificate.file.read(training.MAX_PDF_BYTES + 1)
    return training.read_evidence(db, data=data, filename=certificate.filename or "")


@router.post("/training/external", response_class=HTMLResponse)
def add_external(
    request: Request,
    user: CurrentUser,
    evidence: Annotated[training.Evidence, Depends(uploaded_evidence)],
    db: WriteSession,
    title: Annotated[str, Form()] = "",
    organiser: Annotated[str, Form()] = "",
    certificate_number: Annotated[str, Form()] = "",
    start_date: Annotated[str, Form()] = "",
    end_date: Annotated[str, Form()] = "",
    jp: Annotated[str, Form()] = "",
) -> Response:
    form = training.ExternalIn(
        title=title,
        organiser=organiser,
        start_date=start_date,
        end_date=end_date,
        jp=jp,
        certificate_number=certificate_number,
    )
    try:
        training.record(db, user=user, form=form, evidence=evidence)
    except AppError as exc:
        return _mine(request, db, user, form=form, error=exc.message)
    return redirect("/training/external", flash="Pelatihan dicatat dan menunggu verifikasi BKPSDM.")


@router.get("/training/external/{training_id}/certificate")
def external_certificate(
    row: Visible, user: CurrentUser, db: Annotated[Session, Depends(download_session)]
) -> Response:
    training.record_certificate_download(db, training=row, viewer=user)
    return Response(
        row.certificate,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="sertifikat-{row.id}.pdf"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _queue(request: Request, db: ReadSession, user: HrUser, **context: object) -> Response:
    status = context.pop("status_code", 200)
    return render(
        request,
        "training/queue.html",
        {
            "rows": training.pending_for_hr(db, hr=user),
            "reviewed": training.reviewed_for_hr(db, hr=user),
            "cap": training.jp_cap,
            "per_day": training.JP_PER_DAY,
            **context,
        },
        status_code=status if isinstance(status, int) else 200,
    )


@router.get("/hr/external", response_class=HTMLResponse)
def hr_queue(request: Request, db: ReadSession, user: HrUser) -> Response:
    return _queue(request, db, user)


@router.post("/hr/external/{training_id}/review", response_class=HTMLResponse)
def hr_review(
    db: WriteSession,
    request: Request,
    user: HrUser,
    row: Visible,
    decision: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    jp: Annotated[str, Form()] = "",
) -> Response:
    try:
        training.review(db, training=row, hr=user, approve=decision == "verify", note=note, jp=jp)
    except AppError as exc:
        return _queue(request, db, user, error=exc.message, status_code=exc.status_code)
    message = (
        "Pelatihan diverifikasi; JP-nya kini dihitung."
        if decision == "verify"
        else "Pelatihan ditolak."
    )
    return redirect("/hr/external", flash=message)


@router.post("/hr/external/{training_id}/jp", response_class=HTMLResponse)
def hr_adjust(
    db: WriteSession,
    request: Request,
    user: HrUser,
    row: Visible,
    jp: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    try:
        training.adjust_jp(db, training=row, hr=user, jp=jp, reason=reason)
    except AppError as exc:
        return _queue(request, db, user, error=exc.message, status_code=exc.status_code)
    return redirect("/hr/external", flash="JP pelatihan disesuaikan.")
