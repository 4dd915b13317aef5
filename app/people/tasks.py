"""People jobs: a previewed import written by the worker."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


@huey.task()
def import_people(job_id: int) -> None:
    from app.people import service

    service.run_import_job(database(), job_id=job_id)


@huey.periodic_task(crontab(minute="*/5"))
def sweep_stalled_imports() -> None:
    """An import whose worker died mid-way (no progress for 10 minutes) is queued again; its
    chunks are idempotent, so what was written stays and the rest follows."""
    from app.jobs import service as job_records

    for job_id in job_records.requeue_stalled(database(), kind="people.import", minutes=10):
        import_people(job_id)


@huey.periodic_task(crontab(minute="17", hour="2"))
def purge_old_uploads() -> None:
    """Uploaded people files are personal data: none is kept past 30 days."""
    from app.people import service

    with database().unit_of_work() as session:
        service.purge_old_uploads(session)
