"""Personal data kept no longer than its purpose: expired credentials are swept."""

from __future__ import annotations

from huey import crontab

from app.jobs.queue import database, huey


@huey.periodic_task(crontab(minute="41", hour="*/6"))
def sweep_expired_credentials() -> None:
    """Ended sessions, tokens and login counters say who logged in from where: keep none of
    them past their use (UU PDP: no personal data beyond its purpose). Idempotent, so two
    nodes running it at once do no harm."""
    from app.accounts import service

    with database().unit_of_work() as session:
        service.sweep_expired_credentials(session)
