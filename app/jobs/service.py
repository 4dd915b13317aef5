"""Job records: created with the work they describe, updated by the worker, read by owners."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.core import clock
from app.core.db import Database
from app.core.errors import NotFound
from app.models import Job, User


def create(session: Session, *, kind: str, owner: User | None, subject_id: int | None) -> Job:
    job = Job(kind=kind, owner_id=owner.id if owner else None, subject_id=subject_id)
    session.add(job)
    session.flush()
    return job


def job_for(session: Session, *, job_id: int, user_id: int, is_admin: bool) -> Job:
    """A job its owner (or an admin) may follow; 404 for anyone else."""
    job = session.get(Job, job_id)
    if job is None or (job.owner_id != user_id and not is_admin):
        raise NotFound("Pekerjaan tidak ditemukan.")
    return job


def claim(database: Database, job_id: int) -> bool:
    """Mark a queued job running; False if another runner has it or it is finished, so a job
    delivered twice (a retry, the sweep, a second node) runs once."""
    with database.unit_of_work() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.status != "queued":
            return False
        job.status = "running"
        job.updated_at = clock.now()
        return True


def progress(database: Database, job_id: int, *, done: int, total: int) -> None:
    with database.unit_of_work() as session:
        job = session.get(Job, job_id)
        if job is not None:
            job.done, job.total, job.updated_at = done, total, clock.now()


def finish(
    database: Database,
    job_id: int,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    with database.unit_of_work() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        now = clock.now()
        job.status = "failed" if error else "done"
        job.message = error or ""
        job.result = result or {}
        job.updated_at = job.finished_at = now
        if not error:
            job.done = job.total


def requeue_stalled(database: Database, *, kind: str, minutes: int) -> list[int]:
    """Jobs of `kind` left `running` with no progress for `minutes` (their worker died): back
    to `queued`, for the caller to enqueue again."""
    from datetime import timedelta

    from sqlalchemy import select

    cutoff = clock.now() - timedelta(minutes=minutes)
    with database.unit_of_work() as session:
        stalled = list(
            session.scalars(
                select(Job)
                .where(Job.kind == kind, Job.status == "running", Job.updated_at < cutoff)
                .with_for_update(skip_locked=True)
            )
        )
        for job in stalled:
            job.status = "queued"
            job.message = "Dilanjutkan setelah pekerjaan terhenti."
            job.updated_at = clock.now()
        return [job.id for job in stalled]
