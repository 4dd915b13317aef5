"""People jobs: a previewed import written by the worker."""

from __future__ import annotations

from app.jobs.queue import database, huey


@huey.task()
def import_people(job_id: int) -> None:
    from app.people import service

    service.run_import_job(database(), job_id=job_id)
