"""The outbox and its delivery through a real SMTP server (aiosmtpd in this process)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.mail import service as mail
from app.models import Certificate, OutboxMessage
from tests.certificates.test_certificates import complete
from tests.conftest import run_jobs
from tests.factories import World

pytestmark = pytest.mark.usefixtures("courses_imported")


class Inbox:
    """An SMTP server's handler that keeps what it receives; `refuse` answers 451 instead."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 Requested action aborted: try again later"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{port}?tls=none")
    monkeypatch.setattr(get_settings(), "base_url", "https://cakap.contoh.go.id")
    try:
        yield handler
    finally:
        controller.stop()


def _outbox(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_certificate_ready_mail_reaches_the_learner_once(
    session: Session, world: World, inbox: Inbox
) -> None:
    complete(session, world.learner)
    certificate = session.scalars(select(Certificate)).one()
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["rina@contoh.test"]
    assert message["Subject"].startswith("Sertifikat ") and certificate.number in message["Subject"]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Yth. Rina Marlina, S.E.," in text.get_content()
    verify = f"https://cakap.contoh.go.id/verify/{certificate.verification_code}"
    assert verify in text.get_content() and f'href="{verify}"' in html.get_content()
    [row] = _outbox(session)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None

    # The render job runs again (a retry, the sweep): no second message.
    from app.certificates import service as certificates

    certificates.render_pending(mail_database(), certificate_id=certificate.id)
    run_jobs(session)
    assert len(inbox.messages) == 1
    assert len(_outbox(session)) == 1


def mail_database() -> Any:
    from app.jobs.queue import database

    return database()


def test_a_refused_delivery_is_retried_then_sent(
    session: Session, world: World, inbox: Inbox
) -> None:
    inbox.refuse = True
    mail.queue(
        session,
        to="rina@contoh.test",
        template="certificate_ready",
        context={"name": "Rina", "course_title": "Uji", "number": "X/1", "jp": 2, "code": "abc"},
    )
    run_jobs(session)  # the queue retries later (retry_delay), so one attempt here
    [row] = _outbox(session)
    assert row.status == "queued" and row.attempts == 1 and row.last_error.startswith("SMTP")
    assert inbox.messages == []
    inbox.refuse = False
    assert mail.deliver(mail_database(), message_id=row.id) == "sent"
    [row] = _outbox(session)
    assert row.status == "sent" and row.attempts == 2
    assert len(inbox.messages) == 1


def test_without_smtp_the_message_is_held_in_the_outbox(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_url", "")
    caplog.set_level("INFO", logger="cakap.mail")
    complete(session, world.learner)
    [row] = _outbox(session)
    assert row.status == "held" and row.recipient == "rina@contoh.test"
    assert "rina@contoh.test" not in caplog.text and "Rina" not in caplog.text
    assert f"outbox {row.id}" in caplog.text


def test_a_key_queues_a_message_once(session: Session, world: World) -> None:
    context = {"name": "Rina", "course_title": "Uji", "number": "X/1", "jp": 2, "code": "abc"}
    first = mail.queue(
        session, to="a@contoh.test", template="certificate_ready", context=context, key="k1"
    )
    again = mail.queue(
        session, to="a@contoh.test", template="certificate_ready", context=context, key="k1"
    )
    assert first is not None and again is None
    assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_rolled_back_action_sends_nothing(session: Session, world: World, inbox: Inbox) -> None:
    context = {"name": "Rina", "course_title": "Uji", "number": "X/1", "jp": 2, "code": "abc"}
    session.commit()
    mail.queue(session, to="a@contoh.test", template="certificate_ready", context=context)
    session.rollback()
    run_jobs()
    assert inbox.messages == [] and _outbox(session) == []


def test_smtp_urls() -> None:
    from app.mail.smtp import SmtpServer, SmtpUrlError

    s = SmtpServer.from_url("smtp://bkpsdm%40contoh.go.id:rahasia@mail.contoh.go.id")
    assert (s.host, s.port, s.tls, s.username, s.password) == (
        "mail.contoh.go.id",
        587,
        "starttls",
        "bkpsdm@contoh.go.id",
        "rahasia",
    )
    assert SmtpServer.from_url("smtps://mail.contoh.go.id").port == 465
    assert SmtpServer.from_url("smtp://relay:25?tls=none").tls == "none"
    with pytest.raises(SmtpUrlError):
        SmtpServer.from_url("http://mail.contoh.go.id")
