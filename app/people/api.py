from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Response, UploadFile

from app.accounts import service as accounts
from app.accounts.deps import ApiHrUser
from app.config import get_settings
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.models import Instansi
from app.org import service as org
from app.people import service
from app.people.schemas import ImportErrorOut, ImportOut
from app.people.service import ImportReport

router = APIRouter(route_class=TransactionRoute, tags=["people"])


@dataclass
class ApiUpload:
    target: Instansi
    filename: str
    data: bytes
    report: ImportReport


def api_validated_upload(
    db: ReadSession,
    user: ApiHrUser,
    file: Annotated[UploadFile, File()],
    instansi: str | None = None,
) -> ApiUpload:
    """Read and check every row before the write transaction (seconds for a large file)."""
    if instansi:
        target = org.get_instansi(db, code=instansi)
    elif (scope := accounts.hr_instansi_id(user)) is not None:
        target = org.instansi_by_id(db, scope)
    else:
        target = org.default_instansi(db)
    data = file.file.read(get_settings().import_max_bytes + 1)
    filename = file.filename or "berkas.csv"
    report = service.run_import(
        db, data=data, filename=filename, instansi=target, actor=user, dry_run=True
    )
    return ApiUpload(target, filename, data, report)


@router.post(
    "/people/import",
    response_model=ImportOut,
    responses={202: {"model": ImportOut}, 403: {}, 413: {}, 422: {}},
)
def people_import(
    response: Response,
    upload: Annotated[ApiUpload, Depends(api_validated_upload)],
    user: ApiHrUser,
    db: WriteSession,
    dry_run: bool = True,
) -> ImportOut:
    """Import ASN from CSV/XLSX. `instansi` defaults to the HR officer's own. With
    `dry_run=false` the rows are written by a background job: the answer is 202 with
    `job_id` (follow it at `GET /api/v1/jobs/{job_id}`), and created/updated/unchanged say what
    the validated file will do."""
    report = upload.report
    job_id = None
    if dry_run:
        service.record_dry_run(
            db, report=report, filename=upload.filename, instansi=upload.target, actor=user
        )
    else:
        batch = service.save_batch(
            db,
            data=upload.data,
            filename=upload.filename,
            instansi=upload.target,
            actor=user,
            report=report,
        )
        job_id = service.queue_commit(db, batch=batch, actor=user).id
        response.status_code = 202
    return ImportOut(
        job_id=job_id,
        dry_run=dry_run,
        total_rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        units_created=report.units_created,
        errors=[ImportErrorOut(row=e.row, field=e.field, message=e.message) for e in report.errors],
        accounts=[],
    )
