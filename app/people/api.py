from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from app.accounts import service as accounts
from app.accounts.deps import ApiHrUser
from app.config import get_settings
from app.core.db import TransactionRoute, WriteSession
from app.org import service as org
from app.people import service
from app.people.schemas import ImportErrorOut, ImportOut, NewAccountOut

router = APIRouter(route_class=TransactionRoute, tags=["people"])


@router.post("/people/import", response_model=ImportOut, responses={403: {}, 413: {}, 422: {}})
def people_import(
    db: WriteSession,
    user: ApiHrUser,
    file: Annotated[UploadFile, File()],
    dry_run: bool = True,
    instansi: str | None = None,
) -> ImportOut:
    """Import ASN from CSV/XLSX. `instansi` defaults to the HR officer's own."""
    if instansi:
        target = org.get_instansi(db, code=instansi)
    elif (scope := accounts.hr_instansi_id(user)) is not None:
        target = org.instansi_by_id(db, scope)
    else:
        target = org.default_instansi(db)
    data = file.file.read(get_settings().import_max_bytes + 1)
    report = service.run_import(
        db,
        data=data,
        filename=file.filename or "berkas.csv",
        instansi=target,
        actor=user,
        dry_run=dry_run,
    )
    return ImportOut(
        dry_run=report.dry_run,
        total_rows=report.total_rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        units_created=report.units_created,
        errors=[ImportErrorOut(row=e.row, field=e.field, message=e.message) for e in report.errors],
        accounts=[
            NewAccountOut(row=a.row, nip=a.nip, temporary_password=a.temporary_password)
            for a in report.accounts
        ],
    )
