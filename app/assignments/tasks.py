"""Assignment jobs: the assignment's own message right after it is made; the daily reminders."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


@huey.task(retries=3, retry_delay=60)
def remind_assignment(assignment_id: int) -> None:
    from app.assignments import reminders

    reminders.send(database(), assignment_id=assignment_id)


# 00:15 UTC: 07:15 WIB, 08:15 WITA, 09:15 WIT, the same calendar day in all three zones.
@huey.periodic_task(crontab(hour="0", minute="15"))
def send_reminders() -> None:
    from app.assignments import reminders

    reminders.send(database())
