"""Password-reset jobs: write the link's message for the account a request named, if any."""

from __future__ import annotations

from app.jobs.queue import database, huey


@huey.task(retries=3, retry_delay=30)
def send_link(user_id: int | None, nonce: str) -> None:
    from app.password_reset import service

    service.send_link(database(), user_id=user_id, nonce=nonce)
