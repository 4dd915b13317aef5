"""HR report pages (learning gain, evaluation summaries) and the trainer's item analysis:
GET forms, no JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser
from app.analytics import evaluations, gain, items, pages
from app.analytics.deps import PageTaughtCourse
from app.core.db import ReadSession, TransactionRoute
from app.core.templating import render

router = APIRouter(route_class=TransactionRoute, prefix="/hr/reports", include_in_schema=False)
# /trainer/… pages of this domain (the trainer area's own pages live in its domain)
trainer_router = APIRouter(route_class=TransactionRoute, prefix="/trainer", include_in_schema=False)

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


@trainer_router.get("/courses/{slug}/items", response_class=HTMLResponse)
def item_analysis(
    request: Request,
    db: ReadSession,
    course: PageTaughtCourse,
    quiz: Annotated[str, Query(max_length=10)] = "posttest",
    version: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    page = pages.items_page(db, course=course, quiz=quiz, version=version)
    return render(
        request,
        "analytics/items.html",
        {
            "page": page,
            "quiz_labels": items.QUIZ_LABELS,
            "difficulty_labels": items.DIFFICULTY_LABELS,
            "discrimination_labels": items.DISCRIMINATION_LABELS,
            "flag_labels": items.FLAG_LABELS,
        },
        status_code=page.status_code,
    )
