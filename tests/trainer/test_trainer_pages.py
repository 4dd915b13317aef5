"""/trainer/…: my courses → a run → learners × modules, who is stuck, a message to them → a
learner's attempts and answers → an extra attempt or more minutes, honoured by app/assessments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.completion import service as completion
from app.core import clock
from app.core.errors import Conflict
from app.courses import service as courses
from app.courses import teaching
from app.learning import service as learning
from app.models import (
    Attempt,
    AuditEvent,
    Course,
    CourseRun,
    CourseRunTrainer,
    Enrollment,
    Notice,
    OutboxMessage,
    User,
)
from tests.conftest import form_token, login
from tests.factories import UserFactory, World
from tests.learning.helpers import finish_lessons, wrong

SLUG = "smart-governance"


@dataclass
class Taught:
    run: CourseRun
    failing: Enrollment  # world.learner: every lesson done, failed the post-test twice
    idle: Enrollment  # world.learner2 (no e-mail): enrolled 10 days ago, nothing since


def fail_posttest(session: Session, enrollment: Enrollment) -> None:
    version = courses.published_course(session, slug=SLUG)
    quiz = version.quiz_of_kind("posttest")
    assert quiz is not None
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    for item in attempt.paper:
        question = quiz.by_key[item["key"]]
        assessments.save_answer(
            session, attempt=attempt, question_key=question.key, response=wrong(question)
        )
    done = completion.submit_attempt(session, attempt_id=attempt.id)
    assert done.passed is False


@pytest.fixture
def taught(session: Session, world: World, courses_imported: None) -> Taught:
    course = session.scalars(select(Course).where(Course.slug == SLUG)).one()
    teaching.assign_trainer(session, course=course, user=world.trainer, actor=None)
    run = CourseRun(
        course_id=course.id,
        name="Angkatan I 2026",
        starts_on=clock.now().date() - timedelta(days=20),
        instansi_id=world.instansi.id,
    )
    session.add(run)
    session.flush()
    version = courses.published_course(session, slug=SLUG)
    failing = learning.enrol(session, user=world.learner, version=version, run=run)
    finish_lessons(session, failing)
    fail_posttest(session, failing)
    fail_posttest(session, failing)
    idle = learning.enrol(session, user=world.learner2, version=version, run=run)
    idle.enrolled_at = clock.now() - timedelta(days=10)
    session.commit()
    return Taught(run, failing, idle)


def _as(client: TestClient, user: User) -> None:
    client.cookies.clear()
    assert login(client, user.nip or user.email or "").status_code == 303


def test_trainer_walks_from_her_courses_to_a_run_and_sees_who_is_stuck(
    client: TestClient, world: World, taught: Taught
) -> None:
    _as(client, world.trainer)
    home = client.get("/trainer/")
    assert home.status_code == 200 and f'href="/trainer/courses/{SLUG}"' in home.text
    assert 'href="/trainer/"' in home.text, "the navigation links the trainer pages"
    course = client.get(f"/trainer/courses/{SLUG}")
    assert course.status_code == 200
    assert f'href="/trainer/runs/{taught.run.id}"' in course.text
    assert "Belajar mandiri" in course.text, "the open run is listed too"

    board = client.get(f"/trainer/runs/{taught.run.id}")
    assert board.status_code == 200
    text = board.text
    assert world.learner.name in text and world.learner2.name in text
    assert "gagal post-test 2 kali" in text
    assert "tidak aktif 10 hari" in text
    assert 'aria-valuenow="100"' in text or "100%" in text  # every lesson done
    # N is a query parameter: with 30 days the idle learner is not stuck yet
    relaxed = client.get(f"/trainer/runs/{taught.run.id}?stuck_days=30").text
    assert "tidak aktif 10 hari" not in relaxed and "gagal post-test 2 kali" in relaxed


def test_the_board_counts_modules_from_lesson_progress(
    client: TestClient, world: World, taught: Taught, session: Session
) -> None:
    _as(client, world.trainer)
    version = courses.published_course(session, slug=SLUG)
    text = client.get(f"/trainer/runs/{taught.run.id}").text
    first = version.modules[0]
    assert f">{len(first.lessons)}/{len(first.lessons)}<" in text  # the learner finished it
    assert f">0/{len(first.lessons)}<" in text  # the idle learner did not start


def test_other_trainers_learners_hr_and_anonymous_see_none_of_it(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    learner_page = f"/trainer/runs/{taught.run.id}/learners/{taught.failing.id}"
    pages = [f"/trainer/courses/{SLUG}", f"/trainer/runs/{taught.run.id}", learner_page]
    client.cookies.clear()
    for page in [*pages, "/trainer/"]:
        anonymous = client.get(page, follow_redirects=False)
        assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]
    _as(client, other)
    assert world.trainer.name not in client.get("/trainer/").text
    for page in pages:
        assert client.get(page).status_code == 404, page
    token = form_token(client, "/trainer/")
    post = client.post(
        f"/trainer/runs/{taught.run.id}/message",
        data={"csrf_token": token, "learners": [taught.idle.id], "text": "Halo, ayo belajar."},
    )
    assert post.status_code == 404
    grant = client.post(
        f"{learner_page}/allowance",
        data={"csrf_token": token, "quiz": "posttest", "extra_attempts": "1"},
    )
    assert grant.status_code == 404
    for person in (world.learner, world.hr, world.hr_other):
        _as(client, person)
        for page in [*pages, "/trainer/"]:
            assert client.get(page).status_code == 403, (person.name, page)


def test_a_trainer_of_one_run_sees_that_run_only(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    guest = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.add(CourseRunTrainer(run_id=taught.run.id, user_id=guest.id))
    session.commit()
    _as(client, guest)
    assert client.get(f"/trainer/runs/{taught.run.id}").status_code == 200
    runs_page = client.get(f"/trainer/courses/{SLUG}").text
    assert "Angkatan I 2026" in runs_page and "Belajar mandiri" not in runs_page
    open_run = session.scalars(
        select(CourseRun).where(CourseRun.course_id == taught.run.course_id, CourseRun.is_open)
    ).one()
    assert client.get(f"/trainer/runs/{open_run.id}").status_code == 404


def test_a_learner_of_another_run_is_not_reachable_through_this_run(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    stranger = UserFactory(instansi_id=world.instansi.id)
    version = courses.published_course(session, slug="literasi-digital")
    elsewhere = learning.enrol(session, user=stranger, version=version)
    session.commit()
    _as(client, world.trainer)
    url = f"/trainer/runs/{taught.run.id}/learners/{elsewhere.id}"
    assert client.get(url).status_code == 404


def test_the_learner_page_shows_her_attempts_with_her_answers(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    _as(client, world.trainer)
    page = client.get(f"/trainer/runs/{taught.run.id}/learners/{taught.failing.id}")
    assert page.status_code == 200
    version = courses.published_course(session, slug=SLUG)
    quiz = version.quiz_of_kind("posttest")
    assert quiz is not None
    attempt = session.scalars(
        select(Attempt).where(
            Attempt.enrollment_id == taught.failing.id,
            Attempt.kind == "posttest",
        )
    ).first()
    assert attempt is not None
    question = quiz.by_key[attempt.paper[0]["key"]]
    assert question.text.split("\n")[0][:40] in page.text.replace("&#34;", '"').replace(
        "&#39;", "'"
    )
    assert "Post-test" in page.text and "salah" in page.text


def test_a_message_goes_by_mail_or_as_a_notice_and_is_audited(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    _as(client, world.trainer)
    token = form_token(client, f"/trainer/runs/{taught.run.id}")
    sent = client.post(
        f"/trainer/runs/{taught.run.id}/message",
        data={
            "csrf_token": token,
            "learners": [taught.failing.id, taught.idle.id],
            "text": "Ibu/Bapak, mari lanjutkan materi minggu ini. Saya siap membantu.",
            "stuck_days": "7",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    session.expire_all()
    mails = session.scalars(select(OutboxMessage)).all()
    assert [m.recipient for m in mails] == [world.learner.email]
    assert "mari lanjutkan materi" in mails[0].body_text
    assert world.trainer.name in mails[0].body_text
    notices = session.scalars(select(Notice).where(Notice.user_id == world.learner2.id)).all()
    assert len(notices) == 1 and "mari lanjutkan" in notices[0].body
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "run.message")).one()
    assert event.actor_id == world.trainer.id
    assert event.detail == {"learners": 2, "emails": 1, "notices": 1}


def test_an_empty_message_rerenders_with_422(
    client: TestClient, world: World, taught: Taught
) -> None:
    _as(client, world.trainer)
    token = form_token(client, f"/trainer/runs/{taught.run.id}")
    bad = client.post(
        f"/trainer/runs/{taught.run.id}/message",
        data={"csrf_token": token, "learners": [taught.idle.id], "text": "hai"},
    )
    assert bad.status_code == 422 and "minimal 10 karakter" in bad.text


def test_an_extra_attempt_lets_the_learner_really_start_another_post_test(
    client: TestClient, session: Session, world: World, taught: Taught
) -> None:
    fail_posttest(session, taught.failing)  # the third and last of max_attempts 3
    session.commit()
    version = courses.published_course(session, slug=SLUG)
    quiz = version.quiz_of_kind("posttest")
    assert quiz is not None
    with pytest.raises(Conflict):
        assessments.start_attempt(session, enrollment=taught.failing, quiz=quiz)
    session.rollback()

    _as(client, world.trainer)
    url = f"/trainer/runs/{taught.run.id}/learners/{taught.failing.id}"
    granted = client.post(
        f"{url}/allowance",
        data={
            "csrf_token": form_token(client, url),
            "quiz": "posttest",
            "extra_attempts": "1",
            "extra_minutes": "15",
        },
        follow_redirects=False,
    )
    assert granted.status_code == 303, granted.text
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attempt.allowance")
    ).one()
    assert event.actor_id == world.trainer.id

    # The learner herself: the quiz page offers the start, and the attempt starts with the
    # longer limit (30 + 15 minutes).
    _as(client, world.learner)
    page = client.get(f"/courses/{SLUG}/quiz/posttest")
    assert "3 dari 4 dipakai" in page.text and "45 menit" in page.text
    started = client.post(
        f"/courses/{SLUG}/quiz/posttest/start",
        data={"csrf_token": form_token(client, f"/courses/{SLUG}/quiz/posttest")},
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    session.expire_all()
    fourth = session.scalars(
        select(Attempt).where(
            Attempt.enrollment_id == taught.failing.id,
            Attempt.number == 4,
        )
    ).one()
    assert fourth.deadline is not None
    assert fourth.deadline - fourth.started_at == timedelta(minutes=45)


def test_an_invalid_grant_rerenders_with_422(
    client: TestClient, world: World, taught: Taught
) -> None:
    _as(client, world.trainer)
    url = f"/trainer/runs/{taught.run.id}/learners/{taught.failing.id}"
    token = form_token(client, url)
    for data in (
        {"quiz": "posttest", "extra_attempts": "0", "extra_minutes": "0"},
        {"quiz": "posttest", "extra_attempts": "99"},
        {"quiz": "module:x", "extra_attempts": "1"},
    ):
        bad = client.post(f"{url}/allowance", data={"csrf_token": token, **data})
        assert bad.status_code == 422, data


def test_the_run_page_costs_the_same_queries_however_many_learners(
    client: TestClient, session: Session, world: World, taught: Taught, queries: Any
) -> None:
    _as(client, world.trainer)
    url = f"/trainer/runs/{taught.run.id}"

    def cost() -> int:
        before = queries.count
        assert client.get(url).status_code == 200
        return queries.count - before

    first = cost()
    version = courses.published_course(session, slug=SLUG)
    for _ in range(8):
        person = UserFactory(instansi_id=world.instansi.id)
        enrolled = learning.enrol(session, user=person, version=version, run=taught.run)
        finish_lessons(session, enrolled)
    session.commit()
    assert cost() == first
