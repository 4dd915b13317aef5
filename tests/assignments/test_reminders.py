"""Reminders through a real SMTP server (aiosmtpd in this process): once per person,
assignment and stage, even when `cakap reminders send` runs twice at the same time."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import reminders
from app.assignments import service as assignments
from app.config import ROOT
from app.core import clock
from app.core.db import Database
from app.courses import service as courses
from app.jobs import queue
from app.mail import service as mail
from app.models import AssignmentReminder, Notice, OutboxMessage
from tests import factories
from tests.assignments.conftest import Inbox
from tests.certificates.test_certificates import complete
from tests.conftest import COURSES, form_token, login, run_jobs
from tests.factories import UserFactory, World

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10.00 WIB
DUE = date(2026, 12, 10)
DAY_BEFORE = datetime(2026, 12, 9, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _subjects(inbox: Inbox, to: str, starting: str) -> list[str]:
    # Stripped: a long subject is folded onto the header's next line.
    subjects = [m["Subject"].strip() for rcpt, m in inbox.messages if rcpt == [to]]
    return [s for s in subjects if s.startswith(starting)]


def _deliver_all(database: Database) -> None:
    with database.unit_of_work(write=False) as session:
        ids = list(
            session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "queued"))
        )
    for message_id in ids:
        mail.deliver(database, message_id=message_id)


@pytest.fixture
def populated(real_database: Database) -> Iterator[tuple[Database, World, dict[str, int]]]:
    """The personas in a database of their own, plus two more learners with e-mail in the
    unit; one of them has completed the course; an assignment of the course to the unit.
    Jobs of this process use that database."""
    queue.use_database(real_database)
    with real_database.unit_of_work() as session:
        courses.import_courses(session, path=COURSES)
    session = real_database.new_session()
    world = factories.build_world(session)
    ani = UserFactory(
        instansi_id=world.instansi.id, unit_id=world.unit.id, name="Ani", email="ani@contoh.test"
    )
    done = UserFactory(
        instansi_id=world.instansi.id,
        unit_id=world.unit.id,
        name="Citra",
        email="citra@contoh.test",
    )
    session.commit()
    complete(session, done)
    session.commit()
    queue.huey.flush()  # her certificate's jobs: not what these tests are about
    assignment = assignments.create(
        session,
        actor=world.hr,
        course_slug="smart-governance",
        unit_codes=[world.unit.code],
        nips=[],
        due_on=DUE,
    )
    session.commit()
    ids = {
        "assignment": assignment.id,
        "ani": ani.id,
        "done": done.id,
        "learner2": world.learner2.id,
    }
    session.close()
    yield real_database, world, ids
    queue.use_database(None)


def test_one_day_reminder_reaches_each_unfinished_learner_once_when_two_runs_race(
    populated: tuple[Database, World, dict[str, int]],
    inbox: Inbox,
    tmp_path: Path,
) -> None:
    database, _, ids = populated
    queue.run_pending()  # the assignment's own message, sent right after it was made
    [assigned] = _subjects(inbox, "rina@contoh.test", "Penugasan pelatihan wajib")
    assert assigned.endswith("(tenggat 10 Desember 2026)")
    assert _subjects(inbox, "citra@contoh.test", "Penugasan") == []  # completed: nothing

    # Two `cakap reminders send` processes on the same database at the same time.
    env = dict(os.environ)
    env["CAKAP_DATABASE_URL"] = database.url
    env["CAKAP_DATA_DIR"] = str(tmp_path)
    env.pop("CAKAP_SMTP_URL", None)
    env["CAKAP_BASE_URL"] = "https://cakap.contoh.go.id"
    command = [sys.executable, "-m", "app", "reminders", "send", "--today", "2026-12-09"]
    runs = [
        subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    _deliver_all(database)

    for address in ("rina@contoh.test", "ani@contoh.test"):
        [subject] = _subjects(inbox, address, "Pengingat terakhir")
        assert "besok, 9 Desember 2026" not in subject and "10 Desember 2026" in subject
    assert _subjects(inbox, "citra@contoh.test", "Pengingat") == []
    [(_, message)] = [
        (r, m) for r, m in inbox.messages if r == ["ani@contoh.test"] and "terakhir" in m["Subject"]
    ]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Yth. Ani," in text.get_content()
    link = "https://cakap.contoh.go.id/courses/smart-governance"
    assert link in text.get_content() and f'href="{link}"' in html.get_content()

    with database.unit_of_work(write=False) as session:
        stages = session.execute(select(AssignmentReminder.user_id, AssignmentReminder.stage)).all()
        learner2 = ids["learner2"]
        assert sorted(s for u, s in stages if u == learner2) == ["assigned", "due-1@2026-12-10"]
        notices = session.scalars(select(Notice).where(Notice.user_id == learner2)).all()
        assert sorted(n.kind for n in notices) == ["assignment.assigned", "assignment.due-1"]

    # A third run, a day later in the same window: nothing new.
    before = len(inbox.messages)
    reminders.send(database, today=date(2026, 12, 10))
    _deliver_all(database)
    assert len(inbox.messages) == before


def test_two_threads_racing_send_each_reminder_once(
    populated: tuple[Database, World, dict[str, int]], inbox: Inbox
) -> None:
    database, _, _ = populated
    clock.freeze(DAY_BEFORE)
    barrier = threading.Barrier(2)
    results: list[reminders.Sent] = []

    def run() -> None:
        barrier.wait()
        results.append(reminders.send(database))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 2
    # Per unfinished person with e-mail one "assigned" message (its deadline reminder is
    # covered by it on the same day), in total across both runs; none for the completed.
    assert sum(r.emails for r in results) == 2
    _deliver_all(database)
    assert len(_subjects(inbox, "ani@contoh.test", "Penugasan")) == 1
    assert _subjects(inbox, "ani@contoh.test", "Pengingat") == []
    assert _subjects(inbox, "citra@contoh.test", "") == []


def test_deadline_and_today_follow_the_instansi_time_zone(session: Session, world: World) -> None:
    # 16.30 UTC: 23.30 WIB on 8 December, but already 01.30 WIT on 9 December.
    clock.freeze(datetime(2026, 12, 8, 16, 30, tzinfo=UTC))
    assert assignments.today_in(world.instansi) == date(2026, 12, 8)
    world.other_instansi.time_zone = "Asia/Jayapura"
    assert assignments.today_in(world.other_instansi) == date(2026, 12, 9)
    wib = reminders.deadline_stage(due_on=DUE, today=assignments.today_in(world.instansi))
    wit = reminders.deadline_stage(due_on=DUE, today=assignments.today_in(world.other_instansi))
    assert (wib, wit) == ("due-7", "due-1")


def test_learner_without_email_gets_a_notice_on_her_dashboard(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    assignments.create(
        session,
        actor=world.hr,
        course_slug="literasi-digital",
        unit_codes=[world.unit.code],
        nips=[],
        due_on=DUE,
    )
    run_jobs(session)
    assert world.learner2.email is None
    notice = session.scalars(select(Notice).where(Notice.user_id == world.learner2.id)).one()
    assert notice.title.startswith("Penugasan pelatihan wajib") and notice.read_at is None
    recipients = session.scalars(select(OutboxMessage.recipient)).all()
    assert recipients == ["rina@contoh.test"]  # held: no SMTP in this test
    login(client, world.learner2.nip or "")
    home = client.get("/")
    assert "Pemberitahuan" in home.text and notice.title in home.text
    token = form_token(client, "/")
    read = client.post(
        f"/notices/{notice.id}/read", data={"csrf_token": token}, follow_redirects=False
    )
    assert read.status_code == 303
    session.expire_all()
    assert session.get(Notice, notice.id).read_at is not None  # type: ignore[union-attr]
    # Nobody else's notice can be marked.
    login(client, world.learner.nip or "")
    token = form_token(client, "/")
    other = client.post(
        f"/notices/{notice.id}/read", data={"csrf_token": token}, follow_redirects=False
    )
    assert other.status_code == 404


def test_weekly_digest_lists_overdue_people_per_unit_and_hr_may_opt_out(
    session: Session, world: World, courses_imported: None, inbox: Inbox
) -> None:
    world.hr.email = "sri@contoh.test"
    assignments.create(
        session,
        actor=world.hr,
        course_slug="literasi-digital",
        unit_codes=[world.unit.code],
        nips=[],
        due_on=DUE,
    )
    run_jobs(session)
    clock.freeze(datetime(2026, 12, 14, 3, 0, tzinfo=UTC))  # a Monday, 4 days overdue
    reminders.send(queue.database())
    run_jobs(session)
    [digest] = [m for r, m in inbox.messages if r == ["sri@contoh.test"]]
    assert digest["Subject"].startswith("Ringkasan pekan 51/2026")
    body = digest.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "Kecamatan Singaparna" in body and "Euis Suryani" in body and "Rina Marlina" in body
    # The learners got their first overdue reminder.
    assert len(_subjects(inbox, "rina@contoh.test", "Pelatihan wajib")) == 1
    # Again the same week: nothing. Opted out: nothing the next week either.
    reminders.send(queue.database())
    world.hr.wants_digest = False
    session.commit()
    clock.freeze(datetime(2026, 12, 21, 3, 0, tzinfo=UTC))
    reminders.send(queue.database())
    run_jobs(session)
    assert len([m for r, m in inbox.messages if r == ["sri@contoh.test"]]) == 1
    # ... while the learner's weekly overdue reminder cannot be declined.
    assert len(_subjects(inbox, "rina@contoh.test", "Pelatihan wajib")) == 2


def test_withdrawn_assignment_sends_nothing_more(
    session: Session, world: World, courses_imported: None, inbox: Inbox
) -> None:
    a = assignments.create(
        session,
        actor=world.hr,
        course_slug="literasi-digital",
        unit_codes=[world.unit.code],
        nips=[],
        due_on=DUE,
    )
    run_jobs(session)
    assignments.withdraw(session, actor=world.hr, assignment=a)
    session.commit()
    clock.freeze(DAY_BEFORE)
    reminders.send(queue.database())
    run_jobs(session)
    assert _subjects(inbox, "rina@contoh.test", "Pengingat") == []
