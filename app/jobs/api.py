from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from app.core.db import TransactionRoute
from app.jobs.deps import ApiJob

router = APIRouter(route_class=TransactionRoute, tags=["jobs"])


class JobOut(BaseModel):
    id: int
    kind: str
    status: str  # queued | running | done | failed
    done: int
    total: int
    percent: int
    message: str
    result: dict[str, Any]


@router.get("/jobs/{job_id}", response_model=JobOut, responses={404: {}})
def job(job: ApiJob) -> JobOut:
    """A background job its caller started (an import): state, progress and result."""
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        done=job.done,
        total=job.total,
        percent=job.percent,
        message=job.message,
        result=job.result,
    )
