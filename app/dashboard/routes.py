"""The home page: what each person needs first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, verify_csrf
from app.assignments import progress as assignment_progress
from app.assignments import service as assignments
from app.catalog import service as catalog
from app.config import get_settings
from app.core import clock
from app.core.db import ReadSession, TransactionRoute
from app.core.templating import render
from app.dashboard import service as dashboard_service
from app.learning import service as learning

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, db: ReadSession, user: CurrentUser) -> Response:
    settings = get_settings()
    year = clock.local_today().year
    entries = dashboard_service.dashboard(db, user=user)
    enrolled = {e.enrollment.course_id for e in entries}
    ledger = learning.jp_ledger(db, user=user, year=year)
    return render(
        request,
        "dashboard/index.html",
        {
            "year": year,
            "mandatory": assignment_progress.mine(db, user=user),
            "notices": assignments.notices(db, user=user),
            "jp_earned": sum(e.jp for e in ledger),
            "jp_target": settings.jp_target_per_year,
            "ledger": ledger,
            "in_progress": [e for e in entries if e.progress.status == "in_progress"],
            "completed": [e for e in entries if e.progress.status == "completed"],
            "suggestions": [
                s
                for s in catalog.search(db, query=None, area=None, level=None)
                if s.course.id not in enrolled
            ],
        },
    )
