"""Load-and-authorise a job from the URL: its owner (or an admin) only."""

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiPrincipal, PagePrincipal
from app.core.db import ReadSession
from app.core.params import RowId
from app.jobs import service
from app.models import Job


def job_for_page(job_id: RowId, db: ReadSession, principal: PagePrincipal) -> Job:
    return service.job_for(
        db, job_id=job_id, user_id=principal.id, is_admin=principal.has_role("admin")
    )


def job_for_api(job_id: RowId, db: ReadSession, principal: ApiPrincipal) -> Job:
    return service.job_for(
        db, job_id=job_id, user_id=principal.id, is_admin=principal.has_role("admin")
    )


PageJob = Annotated[Job, Depends(job_for_page)]
ApiJob = Annotated[Job, Depends(job_for_api)]
