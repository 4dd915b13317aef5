"""Figures per run (angkatan): item analysis and learning gain of one run's learners, equal to
the hand-computed values, and read only by the course's trainers, the run's trainers and
admins."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses import runs, teaching
from app.courses.outline import Outline
from app.models import Course, CourseRun, CourseRunTrainer, Enrollment, User
from tests.analytics import items_data
from tests.analytics.cohort import bearer
from tests.analytics.items_data import Q1, ItemData
from tests.conftest import login
from tests.factories import UserFactory, World

ITEMS = "/api/v1/courses/smart-governance/item-analysis"
GAIN = "/api/v1/courses/smart-governance/gain"


def _course_row(session: Session, slug: str) -> Course:
    return session.scalars(select(Course).where(Course.slug == slug)).one()


def make_run(session: Session, course: Outline, name: str, trainers: list[User]) -> CourseRun:
    run = CourseRun(course_id=course.course_id, name=name, starts_on=date(2026, 9, 1))
    session.add(run)
    session.flush()
    for t in trainers:
        session.add(CourseRunTrainer(run_id=run.id, user_id=t.id))
    session.flush()
    return run


@pytest.fixture
def data(session: Session, world: World, courses_imported: None) -> ItemData:
    return items_data.build(session)


@pytest.fixture
def run_trainer(session: Session) -> User:
    return UserFactory(roles=("trainer",), name="Dra. Lilis Suryani, M.Pd.")


@pytest.fixture
def run(session: Session, data: ItemData, run_trainer: User) -> CourseRun:
    """Angkatan I: two post-test attempts of its own (B1 90, B2 10), apart from A1–A12 (which
    are in the course's open run)."""
    found = make_run(session, data.course, "Angkatan I", [run_trainer])
    items_data.add(session, data.course, "B1", 90, {Q1: "2"}, run_id=found.id)
    items_data.add(session, data.course, "B2", 10, {Q1: "1"}, run_id=found.id)
    session.commit()
    return found


def test_item_analysis_of_a_run_counts_only_its_learners_attempts(
    client: TestClient, world: World, run: CourseRun
) -> None:
    h = bearer(client, world.admin.email or "")
    body = client.get(f"{ITEMS}?run={run.id}", headers=h).json()
    assert body["run"] == run.id and body["attempts"] == 2
    one = next(q for q in body["questions"] if q["id"] == Q1)
    # n = 2, B1 right, B2 wrong → P = 1/2 = 0.50; k = 27% of 2 = 0.54 → 1: upper B1 (1/1),
    # lower B2 (0/1) → D = 1.00
    assert (one["attempts"], one["correct"], one["group"]) == (2, 1, 1)
    assert (one["difficulty"], one["discrimination"]) == (0.5, 1.0)
    assert {c["id"]: c["picked"] for c in one["choices"]} == {"1": 1, "2": 1, "3": 0, "4": 0}
    # the whole course: A1–A11 and the run's two
    assert client.get(ITEMS, headers=h).json()["attempts"] == 13


def test_a_run_of_another_course_is_404(
    client: TestClient, session: Session, world: World, run: CourseRun
) -> None:
    other = make_run(session, _outline(session, "literasi-digital"), "Lain", [])
    session.commit()
    h = bearer(client, world.admin.email or "")
    assert client.get(f"{ITEMS}?run={other.id}", headers=h).status_code == 404
    assert client.get(f"{GAIN}?run={other.id}", headers=h).status_code == 404
    assert client.get(f"{ITEMS}?run=999999", headers=h).status_code == 404


def _outline(session: Session, slug: str) -> Outline:
    from app.courses import service as courses

    return courses.published_course(session, slug=slug)


def test_course_trainer_reads_every_run_a_run_trainer_only_hers_others_nothing(
    client: TestClient, session: Session, world: World, run: CourseRun, run_trainer: User
) -> None:
    teaching.assign_trainer(
        session, course=_course_row(session, "smart-governance"), user=world.trainer, actor=None
    )
    stranger = UserFactory(roles=("trainer",))
    session.commit()
    course_trainer = bearer(client, world.trainer.nip or "")
    assert client.get(ITEMS, headers=course_trainer).json()["attempts"] == 11 + 2
    assert client.get(f"{ITEMS}?run={run.id}", headers=course_trainer).status_code == 200
    mine = bearer(client, run_trainer.nip or "")
    assert client.get(f"{ITEMS}?run={run.id}", headers=mine).json()["attempts"] == 2
    assert client.get(ITEMS, headers=mine).status_code == 404  # not the whole course
    other = bearer(client, stranger.nip or "")
    assert client.get(f"{ITEMS}?run={run.id}", headers=other).status_code == 404
    assert (
        client.get(f"{ITEMS}?run={run.id}", headers=bearer(client, world.hr.nip or "")).status_code
        == 403
    )
    learner = bearer(client, world.learner.nip or "")
    assert client.get(f"{ITEMS}?run={run.id}", headers=learner).status_code == 403


# Angkatan II: (pre, best post) per learner; g = (post − pre) / (100 − pre)
RUN_SCORES = [
    (40, 70),  # g = 30/60 = 0.50 sedang
    (20, 100),  # g = 80/80 = 1.00 tinggi
    (50, 40),  # g = −10/50 = −0.20 rendah
]


@pytest.fixture
def gain_run(
    session: Session, world: World, courses_imported: None, run_trainer: User
) -> CourseRun:
    course = _outline(session, "smart-governance")
    found = make_run(session, course, "Angkatan II", [run_trainer])
    open_run = runs.open_run(session, course_id=course.course_id)
    for i, (pre, post) in enumerate([*RUN_SCORES, (10, 20)]):
        person = UserFactory(instansi_id=world.instansi.id if i % 2 else world.other_instansi.id)
        session.add(
            Enrollment(
                user_id=person.id,
                course_id=course.course_id,
                version_id=course.id,
                run_id=found.id if i < len(RUN_SCORES) else open_run.id,  # the last: not in it
                pretest_score=pre,
                posttest_score=post,
            )
        )
    session.commit()
    return found


def test_gain_of_a_run_equals_hand_computed_values(
    client: TestClient, world: World, gain_run: CourseRun
) -> None:
    body = client.get(
        f"{GAIN}?run={gain_run.id}", headers=bearer(client, world.admin.email or "")
    ).json()
    assert body["learners"] == 3
    assert body["pre_mean"] == round((40 + 20 + 50) / 3, 2) == 36.67
    assert body["post_mean"] == (70 + 100 + 40) / 3 == 70.0
    assert body["gain_mean"] == round((0.5 + 1.0 - 0.2) / 3, 2) == 0.43
    assert body["category"] == "sedang"
    assert body["categories"] == {"tinggi": 1, "sedang": 1, "rendah": 1}
    # HR reads her own instansi's learners of the run only (the second of the three)
    hr = client.get(f"{GAIN}?run={gain_run.id}", headers=bearer(client, world.hr.nip or "")).json()
    assert (hr["learners"], hr["gain_mean"]) == (1, 1.0)


def test_run_gain_page_shows_the_figures_and_chart_to_the_run_trainer(
    client: TestClient, world: World, gain_run: CourseRun, run_trainer: User
) -> None:
    login(client, run_trainer.nip or "")
    page = client.get(f"/trainer/runs/{gain_run.id}/gain")
    assert page.status_code == 200
    assert "Angkatan II" in page.text and "<svg" in page.text
    assert "36,67" in page.text and "70,00" in page.text and "0,43" in page.text


def test_run_gain_page_is_refused_to_other_trainers_hr_learners_and_anonymous(
    client: TestClient, session: Session, world: World, gain_run: CourseRun
) -> None:
    url = f"/trainer/runs/{gain_run.id}/gain"
    assert client.get(url, follow_redirects=False).status_code in (303, 403)
    stranger = UserFactory(roles=("trainer",))
    session.commit()
    login(client, stranger.nip or "")
    assert client.get(url).status_code == 404
    for person in (world.hr, world.learner, world.hr_other):
        client.cookies.clear()
        login(client, person.nip or "")
        assert client.get(url).status_code == 403
    client.cookies.clear()
    login(client, world.admin.email or "")
    assert client.get(url).status_code == 200
    assert client.get("/trainer/runs/999999/gain").status_code == 404
