"""The page where the person who started a job follows it (refreshes itself, no JavaScript)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import verify_csrf
from app.core.db import TransactionRoute
from app.core.templating import render
from app.jobs.deps import PageJob

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job: PageJob) -> Response:
    running = job.status in ("queued", "running")
    response = render(request, "jobs/job.html", {"job": job, "running": running})
    if running:
        response.headers["Refresh"] = "2"
    return response
