"""Mail jobs: deliver a message after its transaction commits; sweep what was missed."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


@huey.task(retries=5, retry_delay=60)
def deliver(message_id: int) -> None:
    from app.mail import service

    service.deliver(database(), message_id=message_id)


@huey.periodic_task(crontab(minute="*/5"))
def sweep_outbox() -> None:
    """Messages whose job was lost (the queue was down at commit) or whose worker died."""
    from app.mail import service

    with database().unit_of_work() as session:
        ids = service.stalled_ids(session, older_than_seconds=600)
    for message_id in ids:
        deliver(message_id)
