"""The worker's daily backup."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


# 19:17 UTC is 02:17 WIB: the quiet hours of an Indonesian agency (Huey's crontab is UTC).
@huey.periodic_task(crontab(minute="17", hour="19"))
def daily_backup() -> None:
    from app.backup import service

    service.scheduled_backup(database())
