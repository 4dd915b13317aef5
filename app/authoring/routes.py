"""Trainer pages for the zip round trip: upload a course zip (check first, then "Terbitkan"),
and download a taught course as a zip. Work without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import verify_csrf
from app.authoring import archive, service
from app.authoring.api import zip_response
from app.authoring.archive import ZipCheck
from app.authoring.deps import PageAuthor, read_upload
from app.authoring.service import Export, ZipImport
from app.config import get_settings
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.templating import redirect, register_filter, render
from app.courses.messages import in_indonesian
from app.models import User
from app.trainer import service as trainer

# The course checker's messages, shown on the upload page and the editor, in Indonesian.
register_filter("id_message", in_indonesian)

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/trainer/courses",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


def _page(
    request: Request,
    db: ReadSession,
    user: User,
    *,
    result: ZipImport | None = None,
    token: str | None = None,
    status_code: int = 200,
) -> Response:
    settings = get_settings()
    return render(
        request,
        "authoring/import.html",
        {
            "courses": trainer.taught_courses(db, user=user),
            "result": result,
            "token": token,
            "max_mb": settings.course_zip_max_bytes // (1024 * 1024),
        },
        status_code=status_code,
    )


@router.get("/import", response_class=HTMLResponse)
def import_form(request: Request, db: ReadSession, user: PageAuthor) -> Response:
    return _page(request, db, user)


@dataclass
class CheckedUpload:
    data: bytes
    check: ZipCheck


def page_checked_upload(user: PageAuthor, file: Annotated[UploadFile, File()]) -> CheckedUpload:
    """Unpack and check the zip before the write transaction (ARCHITECTURE.md rule 2)."""
    data = read_upload(file)
    return CheckedUpload(data, archive.check_zip(data))


@router.post("/import", response_class=HTMLResponse)
def import_check(
    request: Request,
    upload: Annotated[CheckedUpload, Depends(page_checked_upload)],
    user: PageAuthor,
    db: WriteSession,
) -> Response:
    """The dry run: problems as a table (422), or what publishing would do and "Terbitkan"."""
    result = service.import_zip(db, check=upload.check, actor=user, dry_run=True)
    if not result.ok:
        return _page(request, db, user, result=result, status_code=422)
    token = service.keep_pending(user=user, data=upload.data)
    return _page(request, db, user, result=result, token=token)


@dataclass
class PendingUpload:
    token: str
    check: ZipCheck


def page_pending_upload(user: PageAuthor, token: Annotated[str, Form()]) -> PendingUpload:
    """The zip checked at the dry run, read and checked again before the write."""
    return PendingUpload(token, archive.check_zip(service.pending(user=user, token=token)))


@router.post("/import/publish", response_class=HTMLResponse)
def import_publish(
    request: Request,
    upload: Annotated[PendingUpload, Depends(page_pending_upload)],
    user: PageAuthor,
    db: WriteSession,
) -> Response:
    result = service.import_zip(db, check=upload.check, actor=user, dry_run=False)
    if not result.ok:
        return _page(request, db, user, result=result, status_code=422)
    service.forget_pending(user=user, token=upload.token)
    if result.action == "unchanged":
        message = f"Kursus {result.slug} tidak berubah; tetap versi {result.version}."
    else:
        message = f"Kursus {result.slug} diterbitkan sebagai versi {result.version}."
    return redirect("/trainer/courses/import", flash=message)


def page_export(slug: str, db: ReadSession, user: PageAuthor) -> Export:
    course = service.course_for_trainer(db, slug=slug, user=user)
    return service.build_export(db, course=course)


@router.get("/{slug}/export.zip")
def export_zip(
    export: Annotated[Export, Depends(page_export)], user: PageAuthor, db: WriteSession
) -> Response:
    service.record_export(db, export=export, actor=user)
    return zip_response(export)
