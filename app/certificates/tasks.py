"""Certificate jobs: render and sign after the completion commits; sweep what was missed."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


@huey.task(retries=5, retry_delay=10)
def render_certificate(certificate_id: int) -> None:
    from app.certificates import service

    service.render_pending(database(), certificate_id=certificate_id)


@huey.periodic_task(crontab(minute="*"))
def sweep_pending_certificates() -> None:
    """A certificate whose job was lost (the queue was down at commit) is rendered here."""
    from app.certificates import service

    with database().unit_of_work(write=False) as session:
        ids = service.pending_ids(session, older_than_seconds=120)
    for certificate_id in ids:
        service.render_pending(database(), certificate_id=certificate_id)
