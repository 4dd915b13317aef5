"""HR report pages: learning gain and evaluation summaries (GET forms, no JavaScript)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser
from app.analytics import evaluations, gain, pages
from app.core.db import ReadSession, TransactionRoute
from app.core.templating import render

router = APIRouter(route_class=TransactionRoute, prefix="/hr/reports", include_in_schema=False)

Text = Annotated[str, Query(max_length=40)]


@router.get("/gain", response_class=HTMLResponse)
def gain_report(
    request: Request,
    db: ReadSession,
    user: HrUser,
    course: Annotated[str, Query(max_length=100)] = "",
    instansi: Text = "",
    unit: Text = "",
    year: Annotated[str, Query(max_length=4)] = "",
) -> Response:
    page = pages.gain_page(db, viewer=user, course=course, instansi=instansi, unit=unit, year=year)
    return render(
        request,
        "analytics/gain.html",
        {"page": page, "labels": gain.LABELS, "categories": gain.CATEGORIES},
        status_code=page.status_code,
    )


@router.get("/evaluations", response_class=HTMLResponse)
def evaluation_report(
    request: Request,
    db: ReadSession,
    user: HrUser,
    course: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    page = pages.evaluations_page(db, viewer=user, course=course)
    return render(
        request,
        "analytics/evaluations.html",
        {
            "page": page,
            "min_responses": evaluations.MIN_RESPONSES,
            "scale": evaluations.SCALE_LABELS,
        },
        status_code=page.status_code,
    )
