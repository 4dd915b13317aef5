"""The home page: what each person needs first."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, verify_csrf
from app.catalog import service as catalog
from app.config import get_settings
from app.core import clock
from app.core.db import DbSession
from app.core.templating import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, db: DbSession, user: CurrentUser) -> Response:
    settings = get_settings()
    suggestions = catalog.search(db, query=None, area=None, level=None)
    return render(
        request,
        "dashboard/index.html",
        {
            "year": clock.today().year,
            "jp_earned": 0,  # the JP ledger arrives with the learner-journey work
            "jp_target": settings.jp_target_per_year,
            "suggestions": suggestions,
        },
    )
