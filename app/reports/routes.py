"""HR report pages: `/hr/reports/jp` (20 JP by unit, with drill-down to the people),
`/hr/reports/completion` (course × unit) and `/hr/reports/siasn`, each with its downloads.
Downloads are built in a dependency (read transaction) and audited by the route (a short
write), like the API's (app/reports/api.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser
from app.core.db import ReadSession, TransactionRoute, WriteSession, end_read
from app.core.params import PageNumber
from app.core.templating import render
from app.reports import completion, pages, pdf, service, siasn
from app.reports.api import Built
from app.reports.deps import Year, report_filters, year_or_now
from app.reports.selection import Filters, resolve

router = APIRouter(route_class=TransactionRoute, prefix="/hr/reports", include_in_schema=False)

ReportFilters = Annotated[Filters, Depends(report_filters)]
Status = Annotated[Literal["met", "unmet"] | None, Query()]
CompletionStatus = Annotated[
    Literal["in_progress", "completed", "not_started", "overdue"] | None, Query()
]
PageFormat = Annotated[Literal["csv", "xlsx", "pdf"], Query(alias="format")]
SheetFormat = Annotated[Literal["csv", "xlsx"], Query(alias="format")]
Course = Annotated[str | None, Query(max_length=80)]


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


@router.get("/jp", response_class=HTMLResponse)
def jp_page(
    request: Request,
    db: ReadSession,
    user: HrUser,
    filters: ReportFilters,
    year: Year = None,
    status: Status = None,
    page: PageNumber = 1,
) -> Response:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    summary = service.jp_summary(db, selection=selection, year=at)
    params = {**_params(request), "year": str(at)}
    met = None if status is None else status == "met"
    people = service.jp_people(db, selection=selection, year=at, met=met, page=page)
    shown = summary.people if met is None else summary.met if met else summary.people - summary.met
    return render(
        request,
        "reports/jp.html",
        {
            "summary": summary,
            "chart": service.jp_chart(
                summary, link=lambda n: "?" + pages.query(params, unit=n.unit_code, page=None)
            ),
            "people": people,
            "shown": shown,
            "page": page,
            "pages": max(1, -(-shown // service.PER_PAGE)),
            "params": params,
            "query": pages.query,
            "status": status,
            "choices": pages.choices(db, selection=selection, context=summary.context),
            "tab": "jp",
        },
    )


def built_jp_download(
    request: Request,
    db: ReadSession,
    user: HrUser,
    filters: ReportFilters,
    year: Year = None,
    fmt: PageFormat = "csv",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    if fmt == "pdf":
        report = pdf.gather(db, selection=selection, year=at)
        end_read(request)  # the data is in hand: render without holding the connection
        export = pdf.render_jp(report)
    else:
        export = service.jp_export(db, selection=selection, year=at, fmt=fmt)
    return Built(selection, export, fmt, {"year": at})


def _send(db: WriteSession, user: HrUser, built: Built, report: str) -> Response:
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


@router.get("/jp/download")
def jp_download(
    built: Annotated[Built, Depends(built_jp_download)], user: HrUser, db: WriteSession
) -> Response:
    return _send(db, user, built, "jp")


@router.get("/completion", response_class=HTMLResponse)
def completion_page(
    request: Request,
    db: ReadSession,
    user: HrUser,
    filters: ReportFilters,
    year: Year = None,
    course: Course = None,
    status: CompletionStatus = None,
    page: PageNumber = 1,
) -> Response:
    selection = resolve(db, viewer=user, filters=filters)
    found = completion.course_by_slug(db, slug=course)
    blocks = completion.matrix(db, selection=selection, course=found, year=year)
    rows = None
    if found is not None:
        rows = completion.enrolments(
            db, selection=selection, course=found, year=year, status=status, page=page
        )
    context = service.unit_context(db, selection)
    return render(
        request,
        "reports/completion.html",
        {
            "blocks": blocks,
            "chart": completion.chart(blocks),
            "course": found,
            "courses": completion.course_choices(db),
            "rows": rows,
            "status": status,
            "page": page,
            "params": _params(request),
            "query": pages.query,
            "selection": selection,
            "year": year,
            "choices": pages.choices(db, selection=selection, context=context),
            "tab": "completion",
        },
    )


def built_completion_download(
    db: ReadSession,
    user: HrUser,
    filters: ReportFilters,
    year: Year = None,
    course: Course = None,
    fmt: SheetFormat = "csv",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    found = completion.course_by_slug(db, slug=course)
    export = completion.export(db, selection=selection, course=found, year=year, fmt=fmt)
    return Built(selection, export, fmt, {"year": year, "course": course})


@router.get("/completion/download")
def completion_download(
    built: Annotated[Built, Depends(built_completion_download)], user: HrUser, db: WriteSession
) -> Response:
    return _send(db, user, built, "completion")


@router.get("/siasn", response_class=HTMLResponse)
def siasn_page(
    request: Request, db: ReadSession, user: HrUser, filters: ReportFilters, year: Year = None
) -> Response:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    context = service.unit_context(db, selection)
    return render(
        request,
        "reports/siasn.html",
        {
            "year": at,
            "counts": siasn.counts(db, selection=selection, year=at),
            "params": {**_params(request), "year": str(at)},
            "query": pages.query,
            "selection": selection,
            "choices": pages.choices(db, selection=selection, context=context),
            "tab": "siasn",
        },
    )


def built_siasn_download(
    db: ReadSession,
    user: HrUser,
    filters: ReportFilters,
    year: Year = None,
    fmt: SheetFormat = "csv",
) -> Built:
    selection = resolve(db, viewer=user, filters=filters)
    at = year_or_now(year)
    return Built(
        selection, siasn.export(db, selection=selection, year=at, fmt=fmt), fmt, {"year": at}
    )


@router.get("/siasn/download")
def siasn_download(
    built: Annotated[Built, Depends(built_siasn_download)], user: HrUser, db: WriteSession
) -> Response:
    return _send(db, user, built, "siasn")
