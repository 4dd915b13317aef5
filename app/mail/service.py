"""The outbox: queue a message with the action it reports; the worker delivers it.

A message is rendered when queued (templates/emails/<name>/subject.txt, body.txt, body.html)
and stored whole, so what was sent stays on record. Delivery: through SMTP when CAKAP_SMTP_URL
is set, retried a minute later by the job queue (six tries in all); without SMTP it is *held*:
kept in the outbox table (and named, without its address, in the log); a page to read held
messages comes with the reminders. Logs never carry addresses or bodies."""

from __future__ import annotations

import logging
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.config import ROOT, get_settings
from app.core import clock
from app.core.db import Database
from app.jobs.queue import after_commit
from app.mail.smtp import SmtpServer
from app.models import OutboxMessage

log = logging.getLogger("cakap.mail")

MAX_ATTEMPTS = 6

_env = Environment(
    loader=FileSystemLoader(ROOT / "templates" / "emails"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def render(template: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, text body and HTML body of a message."""
    full = {"base_url": get_settings().base_url.rstrip("/"), **context}
    subject = _env.get_template(f"{template}/subject.txt").render(full).strip()
    text = _env.get_template(f"{template}/body.txt").render(full)
    html = _env.get_template(f"{template}/body.html").render(full)
    return " ".join(subject.split()), text, html


def queue(
    session: Session, *, to: str, template: str, context: dict[str, Any], key: str | None = None
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; delivered once that commits. With a key,
    a message already queued under it (by any node, any run) is not queued again: None."""
    if key is not None:
        found = session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key))
        if found is not None:
            return None
    subject, text, html = render(template, context)
    message = OutboxMessage(
        key=key,
        template=template,
        recipient=to,
        subject=subject,
        body_text=text,
        body_html=html,
        status="queued",
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        if key is None:
            raise
        return None  # queued meanwhile by a concurrent run under the same key
    from app.mail import tasks

    after_commit(session, tasks.deliver, message.id)
    return message


def deliver(database: Database, *, message_id: int) -> str:
    """Send one queued message (the worker's job). Returns its new status. Claims the message
    first (queued → sending) so that two workers never send it twice; an SMTP error puts it
    back to queued and raises, for the queue to retry it later."""
    with database.unit_of_work() as session:
        message = session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.status != "queued":
            return message.status if message is not None else "missing"
        message.status = "sending"
        message.attempts += 1
        message.updated_at = clock.now()
        email = _email(message)
    settings = get_settings()
    if not settings.smtp_url:
        _set(database, message_id, status="held")
        log.info("mail held (no CAKAP_SMTP_URL): outbox %d, %s", message_id, message.template)
        return "held"
    try:
        SmtpServer.from_url(settings.smtp_url).send(email)
    except Exception as exc:
        failed = message.attempts >= MAX_ATTEMPTS
        _set(
            database,
            message_id,
            status="failed" if failed else "queued",
            last_error=f"{type(exc).__name__}: {getattr(exc, 'smtp_code', '')}"[:300],
        )
        log.warning(
            "mail not sent: outbox %d, attempt %d, %s",
            message_id,
            message.attempts,
            type(exc).__name__,
        )
        if failed:
            return "failed"
        raise
    _set(database, message_id, status="sent", sent_at=clock.now(), last_error="")
    log.info("mail sent: outbox %d, %s", message_id, message.template)
    return "sent"


def _set(database: Database, message_id: int, **values: Any) -> None:
    with database.unit_of_work() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .values(updated_at=clock.now(), **values)
        )


def _email(message: OutboxMessage) -> EmailMessage:
    settings = get_settings()
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = settings.mail_from
    email["To"] = formataddr(("", message.recipient))
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="cakap")
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def stalled_ids(session: Session, *, older_than_seconds: int) -> list[int]:
    """Messages whose delivery job was lost (queued but not tried for a while), or whose worker
    died while sending (they go back to queued: a rare second copy beats a lost message)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.updated_at < cutoff)
        .values(status="queued", updated_at=clock.now())
    )
    return list(
        session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status == "queued", OutboxMessage.updated_at < cutoff
            )
        )
    )
