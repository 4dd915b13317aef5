"""`GET /api/v1/reports/{jp,completions,siasn}` (PRODUCT.md §5): JSON, CSV or XLSX.

Each export is built in a dependency, in the request's read transaction (the rows streamed
from a server-side cursor into a temporary file); the route then writes the audit entry, a
short write, and sends the file once the transaction has ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from app.accounts.deps import ApiHrUser
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.reports import completion, service, siasn
from app.reports.deps import FileFormat, Year, report_filters, year_or_now
from app.reports.exports import Export
from app.reports.schemas import FILES, CompletionReportOut, JpReportOut
from app.reports.selection import Filters, Selection, resolve

router = APIRouter(route_class=TransactionRoute, tags=["reports"])

Format = Annotated[FileFormat, Query(alias="format")]
SiasnFormat = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
ReportFilters = Annotated[Filters, Depends(report_filters)]


@dataclass
class Built:
    selection: Selection
    export: Export
    fmt: str
    extra: dict[str, object]


def built_jp(
    db: ReadSession,
    user: ApiHrUser,
    filters: ReportFilters,
    year: Year = None,
    fmt: Format = "json",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    export = service.jp_export(db, selection=selection, year=at, fmt=fmt)
    return Built(selection, export, fmt, {"year": at})


def built_completions(
    db: ReadSession,
    user: ApiHrUser,
    filters: ReportFilters,
    year: Year = None,
    course: Annotated[str | None, Query(max_length=80)] = None,
    fmt: Format = "json",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    found = completion.course_by_slug(db, slug=course)
    export = completion.export(db, selection=selection, course=found, year=year, fmt=fmt)
    return Built(selection, export, fmt, {"year": year, "course": course})


def built_siasn(
    db: ReadSession,
    user: ApiHrUser,
    filters: ReportFilters,
    year: Year = None,
    fmt: SiasnFormat = "csv",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    export = siasn.export(db, selection=selection, year=at, fmt=fmt)
    return Built(selection, export, fmt, {"year": at})


def _send(db: WriteSession, user: ApiHrUser, built: Built, report: str) -> Response:
    service.record_export(
        db,
        actor=user,
        report=report,
        fmt=built.fmt,
        selection=built.selection,
        rows=built.export.rows,
        extra=built.extra,
    )
    return built.export.response()


@router.get(
    "/reports/jp",
    response_model=JpReportOut,
    responses={200: {"content": FILES}, 403: {}, 404: {}, 422: {}},
)
def jp_report(
    built: Annotated[Built, Depends(built_jp)], user: ApiHrUser, db: WriteSession
) -> Response:
    """JP per person this year (Cakap and external) and whether she met 20 JP; the summary
    and the unit roll-up. Deactivated and retired people are left out."""
    return _send(db, user, built, "jp")


@router.get(
    "/reports/completions",
    response_model=CompletionReportOut,
    responses={200: {"content": FILES}, 403: {}, 404: {}, 422: {}},
)
def completions_report(
    built: Annotated[Built, Depends(built_completions)], user: ApiHrUser, db: WriteSession
) -> Response:
    """One row per enrolment of the people in scope (per course, unit and year)."""
    return _send(db, user, built, "completion")


@router.get(
    "/reports/siasn",
    responses={200: {"content": FILES}, 403: {}, 404: {}, 422: {}},
)
def siasn_report(
    built: Annotated[Built, Depends(built_siasn)], user: ApiHrUser, db: WriteSession
) -> Response:
    """Training records in SIASN's fields: valid Cakap certificates and verified external
    training of the year."""
    return _send(db, user, built, "siasn")
