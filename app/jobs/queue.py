"""The job queue. Embedded default: Huey on a SQLite file in CAKAP_DATA_DIR (no extra service);
several nodes: Huey on Redis (CAKAP_JOBS_URL=redis://…), so each job runs on one node only.

Domain task functions live next to their service (`app/<domain>/tasks.py`) and are enqueued
with `after_commit`: a job never starts before the transaction that asked for it commits, and
never at all when it rolls back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.config import get_settings
from app.core.db import Database


def _build() -> Huey:
    settings = get_settings()
    if settings.jobs_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(settings.jobs_queue, url=settings.jobs_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.jobs_queue, filename=str(settings.data_dir / "jobs.sqlite3"))


huey: Huey = _build()

_database: Database | None = None


def use_database(database: Database | None) -> None:
    """The database jobs of this process use (the worker sets it; so do tests)."""
    global _database
    _database = database


def database() -> Database:
    global _database
    if _database is None:
        settings = get_settings()
        _database = Database(settings.effective_database_url, pool_size=4)
    return _database


def after_commit(session: Session, task: Callable[..., Any], *args: Any) -> None:
    """Enqueue `task(*args)` once the session's current transaction commits (dropped if it
    rolls back). If enqueueing fails after the commit, the worker's sweep finds the work."""
    session.info.setdefault(_PENDING, []).append((task, args))


_PENDING = "cakap.jobs"


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the transaction has not committed yet
    for task, args in session.info.pop(_PENDING, []):
        task(*args)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint rolled back (e.g. a unique key taken by a concurrent run): the
        # transaction goes on, and so do the jobs it queued before.
        return
    session.info.pop(_PENDING, None)


def run_pending(limit: int = 1000) -> int:
    """Run the queued jobs in this thread, as the worker would (tests; `cakap worker --once`)."""
    ran = 0
    while ran < limit:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        ran += 1
    return ran
