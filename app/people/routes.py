"""HR pages: import ASN from CSV/XLSX (preview, then commit), download the bad rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.accounts import service as accounts
from app.accounts.deps import HrUser, verify_csrf
from app.config import get_settings
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import Invalid
from app.core.templating import redirect, render
from app.jobs.deps import PageJob
from app.models import Instansi, User
from app.org import repository as org_repository
from app.org import service as org
from app.people import service
from app.people.deps import PageBatch
from app.people.files import KNOWN_COLUMNS

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/hr",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


def _choices(db: ReadSession, user: User) -> list[Instansi]:
    if user.has_role("admin"):
        return org_repository.all_instansi(db)
    scope = accounts.hr_instansi_id(user)
    return [i for i in org_repository.all_instansi(db) if i.id == scope]


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, db: ReadSession, user: HrUser) -> Response:
    return render(
        request,
        "people/import.html",
        {"instansi_choices": _choices(db, user), "columns": KNOWN_COLUMNS},
    )


@dataclass
class Upload:
    """A people file as uploaded and validated: parsing and checking every row happen here,
    before the route's write transaction (they take seconds for a large file)."""

    choices: list[Instansi]
    target: Instansi | None
    filename: str
    data: bytes
    report: service.ImportReport | None
    error: str | None


def validated_upload(
    db: ReadSession,
    user: HrUser,
    file: Annotated[UploadFile, File()],
    instansi: Annotated[str, Form()] = "",
) -> Upload:
    choices = _choices(db, user)
    target = next(
        (i for i in choices if i.code == instansi), choices[0] if len(choices) == 1 else None
    )
    data = file.file.read(get_settings().import_max_bytes + 1)
    filename = file.filename or "berkas.csv"
    if target is None:
        return Upload(choices, None, filename, data, None, "Pilih instansi tujuan.")
    try:
        report = service.run_import(
            db, data=data, filename=filename, instansi=target, actor=user, dry_run=True
        )
    except Invalid as exc:
        return Upload(choices, target, filename, data, None, exc.message)
    return Upload(choices, target, filename, data, report, None)


@router.post("/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    upload: Annotated[Upload, Depends(validated_upload)],
    user: HrUser,
    db: WriteSession,
) -> Response:
    if upload.report is None or upload.target is None:
        context = {"instansi_choices": upload.choices, "columns": KNOWN_COLUMNS}
        return render(
            request, "people/import.html", {**context, "error": upload.error}, status_code=422
        )
    batch = service.save_batch(
        db,
        data=upload.data,
        filename=upload.filename,
        instansi=upload.target,
        actor=user,
        report=upload.report,
    )
    return render(request, "people/preview.html", {"batch": batch, "report": upload.report})


@router.post("/import/{batch_id}/commit", response_class=HTMLResponse)
def import_commit(db: WriteSession, user: HrUser, batch: PageBatch) -> Response:
    job = service.queue_commit(db, batch=batch, actor=user)
    return redirect(f"/jobs/{job.id}")


@router.get("/import/{batch_id}/errors.csv")
def import_errors(db: WriteSession, user: HrUser, batch: PageBatch) -> Response:
    """A download of personal data: audited, so the route writes."""
    body = service.errors_csv(db, batch=batch, actor=user)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="impor-{batch.id}-baris-salah.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/units", response_class=HTMLResponse)
def units(request: Request, db: ReadSession, user: HrUser) -> Response:
    trees = [(i, org.flatten(org.unit_tree(db, instansi=i))) for i in _choices(db, user)]
    return render(request, "people/units.html", {"trees": trees})


@router.post("/jobs/{job_id}/forget-codes")
def forget_codes(db: WriteSession, user: HrUser, job: PageJob) -> Response:
    """The HR officer has noted the first-login codes of an import: drop them from the server."""
    service.forget_codes(db, job=job)
    return redirect(f"/jobs/{job.id}", flash="Kode masuk pertama telah dihapus dari server.")
