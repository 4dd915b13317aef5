"""HR report pages (learning gain, evaluation summaries) and the trainer's item analysis:
GET forms, no JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser, TrainerUser
from app.analytics import evaluation_results, evaluations, gain, items, pages
from app.analytics.deps import PageResultsCourse, PageResultsUser, PageTaught, PageTrainedRun, RunId
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
    taught: PageTaught,
    quiz: Annotated[str, Query(max_length=10)] = "posttest",
    version: Annotated[str, Query(max_length=8)] = "",
) -> Response:
    page = pages.items_page(db, course=taught.course, run=taught.run, quiz=quiz, version=version)
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


@trainer_router.get("/runs/{run_id}/gain", response_class=HTMLResponse)
def run_gain(request: Request, db: ReadSession, user: TrainerUser, run: PageTrainedRun) -> Response:
    page = pages.run_gain_page(db, viewer=user, run=run)
    return render(
        request,
        "analytics/run_gain.html",
        {"page": page, "labels": gain.LABELS, "categories": gain.CATEGORIES},
    )


@trainer_router.get("/courses/{slug}/evaluations", response_class=HTMLResponse)
def evaluation_results_page(
    request: Request,
    db: ReadSession,
    user: PageResultsUser,
    course: PageResultsCourse,
    run: RunId = None,
) -> Response:
    found = evaluation_results.course_results(db, viewer=user, course=course, run_id=run)
    return render(
        request,
        "analytics/evaluation_results.html",
        {
            "r": found,
            "min_responses": evaluations.MIN_RESPONSES,
            "scale": evaluations.SCALE_LABELS,
        },
    )
