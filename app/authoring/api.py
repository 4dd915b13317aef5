"""The zip round trip in the JSON API (PRODUCT.md §5): export a course, import a zip."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.authoring import service
from app.authoring.deps import ApiAuthor, ApiCheckedZip, ApiExport
from app.authoring.schemas import ZipImportOut
from app.core.db import TransactionRoute, WriteSession

router = APIRouter(route_class=TransactionRoute, tags=["authoring"])


def zip_response(export: service.Export) -> Response:
    return Response(
        export.data,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/courses/{slug}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, 403: {}, 404: {}},
)
def export_course(export: ApiExport, user: ApiAuthor, db: WriteSession) -> Response:
    """The published version of a course as a zip of its files (one `<slug>/` folder), for a
    trainer of the course or an admin. Importing it back gives the same version."""
    service.record_export(db, export=export, actor=user)
    return zip_response(export)


@router.post(
    "/courses/import",
    response_model=ZipImportOut,
    responses={403: {}, 422: {"model": ZipImportOut}},
)
def import_course(
    checked: ApiCheckedZip, user: ApiAuthor, db: WriteSession, dry_run: bool = True
) -> Response | ZipImportOut:
    """Import a course zip (multipart field `file`): the same checks as `cakap courses check`,
    problems with the path inside the zip and the line. `dry_run=true` (the default) writes
    nothing and answers 200 with the problems, if any; `dry_run=false` imports all or nothing
    (422 with the problems). A trainer imports courses she teaches or a new slug (and then
    teaches it); an admin any."""
    result = service.import_zip(db, check=checked, actor=user, dry_run=dry_run)
    body = ZipImportOut.of(result)
    if not dry_run and not result.ok:
        return JSONResponse(body.model_dump(), status_code=422)
    return body
