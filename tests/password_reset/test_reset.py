"""Self-service password reset by e-mail (issue 9, item 15), through a real SMTP server
(aiosmtpd in this process) and the real outbox, queue and worker path."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.config import get_settings
from app.core import clock
from app.models import ApiToken, AuditEvent, OutboxMessage, UserSession
from app.password_reset import service as reset
from tests.conftest import QueryCounter, csrf_from, form_token, login, run_jobs
from tests.factories import PASSWORD, World, nip
from tests.mail.test_outbox import Inbox, _free_port

NEW_PASSWORD = "kopi tubruk di alun-alun singaparna"
NEUTRAL = "Jika akun dengan data tersebut ada dan memiliki alamat email"
LINK = re.compile(r"http://testserver/password/reset/[A-Za-z0-9._-]+")


@pytest.fixture
def inbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    monkeypatch.setattr(get_settings(), "smtp_url", f"smtp://127.0.0.1:{controller.port}?tls=none")
    try:
        yield handler
    finally:
        controller.stop()


def _ask(client: TestClient, username: str) -> Any:
    token = form_token(client, "/password/forgot")
    return client.post(
        "/password/forgot",
        data={"username": username, "csrf_token": token},
        follow_redirects=False,
    )


def _bodies(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert isinstance(text, EmailMessage) and isinstance(html, EmailMessage)
    return text.get_content(), html.get_content()


def _link(inbox: Inbox, index: int = -1) -> str:
    text, html = _bodies(inbox.messages[index][1])
    found = LINK.search(text)
    assert found, text
    assert f'href="{found.group(0)}"' in html
    return found.group(0).removeprefix("http://testserver")


def _set_password(client: TestClient, path: str, new: str, confirm: str | None = None) -> Any:
    token = csrf_from(client.get("/password/forgot").text)
    return client.post(
        path,
        data={"new": new, "confirm": new if confirm is None else confirm, "csrf_token": token},
        follow_redirects=False,
    )


def _outbox_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_a_learner_resets_her_forgotten_password_through_the_mailed_link(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    login_page = client.get("/login")
    assert 'href="/password/forgot"' in login_page.text and "Lupa kata sandi?" in login_page.text

    typed = " ".join((world.learner.nip or "")[i : i + 6] for i in range(0, 18, 6))
    asked = _ask(client, typed)  # the NIP as people type it, with spaces
    assert asked.status_code == 303 and asked.headers["location"] == "/password/forgot/sent"
    assert NEUTRAL in client.get("/password/forgot/sent").text
    assert inbox.messages == []  # the worker sends it, not the request
    run_jobs(session)

    [(recipients, message)] = inbox.messages
    assert recipients == ["rina@contoh.test"]
    assert message["Subject"] == "Atur ulang kata sandi akun Cakap Anda"
    text, html = _bodies(message)
    assert "Yth. Rina Marlina, S.E.," in text and "60 menit" in text and "abaikan" in text
    assert "60 menit" in html and "abaikan" in html
    path = _link(inbox)

    form = client.get(path)
    assert form.status_code == 200 and 'name="new"' in form.text and 'name="confirm"' in form.text
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["referrer-policy"] == "no-referrer"

    done = _set_password(client, path, NEW_PASSWORD)
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert done.headers["cache-control"] == "no-store"
    assert "berhasil diatur ulang" in client.get("/login").text

    assert login(client, world.learner.nip or "", PASSWORD).status_code == 422
    assert login(client, world.learner.nip or "", NEW_PASSWORD).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200

    # The link was spent by its use.
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 400 and "tidak berlaku" in again.text
    assert 'href="/password/forgot"' in again.text and 'name="new"' not in again.text
    assert _set_password(client, path, "gudeg manggar lebih enak dari rendang").status_code == 400
    assert login(client, world.learner.nip or "", NEW_PASSWORD).status_code == 303


def test_the_reset_is_audited_without_the_link_or_the_password(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    _ask(client, world.learner.email or "")
    run_jobs(session)
    path = _link(inbox)
    assert _set_password(client, path, NEW_PASSWORD).status_code == 303
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("password.reset%")).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.object_id) for e in events] == [
        ("password.reset_request", str(world.learner.id)),
        ("password.reset", str(world.learner.id)),
    ]
    token = path.rsplit("/", 1)[1]
    for event in events:
        assert token not in repr(event.detail) and NEW_PASSWORD not in repr(event.detail)
        assert event.detail == {}


def test_the_link_expires_after_sixty_minutes(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    _ask(client, world.learner.nip or "")
    run_jobs(session)
    path = _link(inbox)
    start = clock.now()
    try:
        clock.freeze(start + timedelta(minutes=59))
        assert client.get(path).status_code == 200
        clock.freeze(start + timedelta(minutes=61))
        expired = client.get(path)
        assert expired.status_code == 410 and "kedaluwarsa" in expired.text
        assert _set_password(client, path, NEW_PASSWORD).status_code == 410
    finally:
        clock.freeze(None)
    assert login(client, world.learner.nip or "", PASSWORD).status_code == 303


def test_the_reset_ends_every_session_and_token_of_the_account(
    app: Any, client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    with TestClient(app) as other:
        assert login(other, world.learner.nip or "").status_code == 303
        assert other.get("/", follow_redirects=False).status_code == 200
        bearer = client.post(
            "/api/v1/auth/token",
            json={"username": world.learner.nip, "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {bearer}"}
        assert client.get("/api/v1/me", headers=headers).status_code == 200

        _ask(client, world.learner.nip or "")
        run_jobs(session)
        assert _set_password(client, _link(inbox), NEW_PASSWORD).status_code == 303

        assert other.get("/", follow_redirects=False).status_code == 303
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    session.expire_all()
    for model in (UserSession, ApiToken):
        rows = session.scalars(select(model).where(model.user_id == world.learner.id)).all()
        assert rows == []


def test_the_reset_replaces_a_first_login_code_and_its_forced_change(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    accounts.reset_password(session, user=world.learner, actor=world.admin)
    session.commit()
    assert world.learner.must_change_password
    _ask(client, world.learner.nip or "")
    run_jobs(session)
    assert _set_password(client, _link(inbox), NEW_PASSWORD).status_code == 303
    session.refresh(world.learner)
    assert not world.learner.must_change_password
    assert world.learner.temporary_password_expires_at is None
    assert login(client, world.learner.nip or "", NEW_PASSWORD).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200  # not /account/password


def test_unknown_names_accounts_without_mail_and_limited_requests_get_the_same_answer(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    """Nothing in the answer tells whether a NIP or an address has an account (PRODUCT.md §6)."""
    inactive = world.learner2
    inactive.email = "euis@contoh.test"
    inactive.is_active = False
    session.commit()
    for _ in range(reset.MAILS_PER_ACCOUNT):
        assert _ask(client, world.learner.nip or "").status_code == 303
    run_jobs(session)
    assert len(inbox.messages) == reset.MAILS_PER_ACCOUNT
    queued = _outbox_count(session)

    answers = []
    for typed in (
        nip(),  # a valid NIP nobody has
        "tidak.ada@contoh.test",
        "bukan nip dan bukan email",
        world.hr.nip or "",  # an account without an e-mail address
        inactive.email,  # an inactive account with one
        world.learner.nip or "",  # over the limit of mails an hour for this account
        world.learner.email or "",  # the same account by its address
    ):
        asked = _ask(client, typed)
        page = client.get(asked.headers["location"])
        answers.append((asked.status_code, asked.headers["location"], asked.text, page.text))
    assert len(set(answers)) == 1
    assert answers[0][0] == 303 and NEUTRAL in answers[0][3]

    run_jobs(session)
    assert _outbox_count(session) == queued
    assert len(inbox.messages) == reset.MAILS_PER_ACCOUNT

    # The next hour, the account gets a link again.
    clock.freeze(clock.now() + timedelta(minutes=61))
    try:
        _ask(client, world.learner.nip or "")
        run_jobs(session)
    finally:
        clock.freeze(None)
    assert len(inbox.messages) == reset.MAILS_PER_ACCOUNT + 1


def test_one_address_asking_for_many_accounts_is_limited(
    app: Any, client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    for _ in range(reset.REQUESTS_PER_ADDRESS):
        _ask(client, nip())
    limited = _ask(client, world.learner.nip or "")
    assert limited.status_code == 303 and limited.headers["location"] == "/password/forgot/sent"
    run_jobs(session)
    assert inbox.messages == [] and _outbox_count(session) == 0
    # The owner, from another address, still gets her link.
    with TestClient(app, client=("203.0.113.7", 50000)) as elsewhere:
        _ask(elsewhere, world.learner.nip or "")
    run_jobs(session)
    assert [r for r, _ in inbox.messages] == [["rina@contoh.test"]]


def test_a_refused_new_password_keeps_the_link_usable(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    _ask(client, world.learner.nip or "")
    run_jobs(session)
    path = _link(inbox)
    weak = _set_password(client, path, "password1234")
    assert weak.status_code == 422 and "mudah ditebak" in weak.text and 'name="new"' in weak.text
    short = _set_password(client, path, "pendek")
    assert short.status_code == 422 and "minimal 12" in short.text
    mismatch = _set_password(client, path, NEW_PASSWORD, confirm=NEW_PASSWORD + "!")
    assert mismatch.status_code == 422 and "tidak sama" in mismatch.text
    personal = _set_password(client, path, f"sandi {world.learner.nip} rahasia")
    assert personal.status_code == 422 and "NIP" in personal.text
    assert _set_password(client, path, NEW_PASSWORD).status_code == 303


def test_a_changed_password_or_a_deactivation_kills_an_unused_link(
    client: TestClient, session: Session, world: World, inbox: Inbox
) -> None:
    _ask(client, world.learner.nip or "")
    _ask(client, world.learner.nip or "")
    run_jobs(session)
    first, second = _link(inbox, 0), _link(inbox, 1)
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200
    assert _set_password(client, second, NEW_PASSWORD).status_code == 303
    assert client.get(first).status_code == 400  # the other link died with the old password

    _ask(client, world.learner.nip or "")
    run_jobs(session)
    third = _link(inbox)
    assert client.get(third).status_code == 200
    accounts.set_active(session, user=world.learner, active=False, actor=world.admin)
    session.commit()
    assert client.get(third).status_code == 400


def test_two_uses_of_one_link_at_once_set_one_password(
    session: Session, world: World, inbox: Inbox
) -> None:
    token = reset.make_token(world.learner)
    first = reset.prepare_reset(session, token=token, new=NEW_PASSWORD, confirm=NEW_PASSWORD)
    other = "teh poci hangat di stasiun tasikmalaya"
    second = reset.prepare_reset(session, token=token, new=other, confirm=other)
    assert first.new_hash and second.new_hash  # both passed the read-only check
    assert reset.complete_reset(session, prepared=first).user is not None
    refused = reset.complete_reset(session, prepared=second)
    assert refused.user is None and refused.status == 400
    assert world.learner.password_hash == first.new_hash


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature
        lambda t: t.split(".")[0] + "." + str(int(t.split(".")[1]) + 3600) + "." + t.split(".")[2],
        lambda t: str(int(t.split(".")[0]) + 1) + "." + t.split(".", 1)[1],  # someone else
        lambda t: "garbage",
        lambda t: t + "." + t,
    ],
)
def test_a_tampered_link_is_refused(client: TestClient, world: World, tamper: Any) -> None:
    token = reset.make_token(world.learner)
    assert client.get(f"/password/reset/{token}").status_code == 200
    refused = client.get(f"/password/reset/{tamper(token)}")
    assert refused.status_code == 400 and "tidak berlaku" in refused.text


def test_a_link_signed_with_another_secret_key_is_refused(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "secret_key", "another-installation")
    token = reset.make_token(world.learner)
    monkeypatch.undo()
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_without_smtp_the_login_page_sends_learners_to_bkpsdm_and_no_mail_goes(
    client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "smtp_url", "")
    page = client.get("/login").text
    assert "/password/forgot" not in page and "Hubungi admin BKPSDM" in page
    forgot = client.get("/password/forgot")
    assert forgot.status_code == 200 and "belum tersedia" in forgot.text
    assert 'name="username"' not in forgot.text
    token = csrf_from(client.get("/login").text)
    asked = client.post(
        "/password/forgot",
        data={"username": world.learner.nip, "csrf_token": token},
        follow_redirects=False,
    )
    assert asked.status_code == 303 and asked.headers["location"] == "/password/forgot"
    run_jobs(session)
    assert _outbox_count(session) == 0


def test_the_forms_need_a_csrf_token(client: TestClient, world: World, inbox: Inbox) -> None:
    client.get("/password/forgot")
    token = reset.make_token(world.learner)
    assert client.post("/password/forgot", data={"username": "x"}).status_code == 403
    refused = client.post(
        f"/password/reset/{token}", data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert refused.status_code == 403
    assert login(client, world.learner.nip or "").status_code == 303


def test_the_link_is_never_logged(
    app: Any,
    client: TestClient,
    session: Session,
    world: World,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    _ask(client, world.learner.nip or "")
    run_jobs(session)
    path = _link(inbox)
    token = path.rsplit("/", 1)[1]
    client.get(path)

    # Even an unexpected error on the reset page logs the route, not the address.
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(reset, "check_token", broken)
    with TestClient(app, raise_server_exceptions=False) as other:
        assert other.get(path).status_code == 500
    # What the application logs (the test's own HTTP client and SMTP server log what they
    # send and receive, as a browser and a mail server would, and are left out).
    formatter = logging.Formatter("%(name)s %(message)s")
    ours = "\n".join(
        formatter.format(r)
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore", "mail.log", "asyncio"))
    )
    assert {r.name for r in caplog.records} & {"cakap", "cakap.mail"}
    assert "/password/reset/{token}" in ours
    assert token not in ours and "rina@contoh.test" not in ours


def test_a_known_and_an_unknown_name_cost_the_request_the_same_work(
    client: TestClient, session: Session, world: World, inbox: Inbox, queries: QueryCounter
) -> None:
    """The answer must not be measurably slower for a real account: the same statements and
    one job either way; the worker alone writes the message (and its delivery job)."""
    from app.jobs.queue import huey

    token = form_token(client, "/password/forgot")
    work = {}
    for label, typed in (
        ("with mail", world.learner.nip or ""),
        ("unknown", nip()),
        ("without mail", world.hr.nip or ""),
    ):
        queries.statements.clear()
        huey.flush()
        client.post("/password/forgot", data={"username": typed, "csrf_token": token})
        statements = [" ".join(s.split()) for s in queries.statements if "/password" not in s]
        work[label] = (statements, huey.pending_count())
    assert work["with mail"] == work["unknown"] == work["without mail"]
    assert work["unknown"][1] == 1


def test_the_worker_writes_one_message_per_request_and_none_for_a_closed_account(
    session: Session, world: World, inbox: Inbox
) -> None:
    from app.jobs.queue import database

    assert reset.send_link(database(), user_id=world.learner.id, nonce="permintaan-1")
    # A retry of the same job (the queue retries on failure) writes no second message.
    assert not reset.send_link(database(), user_id=world.learner.id, nonce="permintaan-1")
    assert _outbox_count(session) == 1
    # Deactivated between the request and the job: nothing goes.
    accounts.set_active(session, user=world.learner, active=False, actor=world.admin)
    session.commit()
    assert not reset.send_link(database(), user_id=world.learner.id, nonce="permintaan-2")
    assert not reset.send_link(database(), user_id=None, nonce="permintaan-3")
    assert _outbox_count(session) == 1
