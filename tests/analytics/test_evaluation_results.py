"""Evaluation results per run and per trainer equal the hand-computed figures; a run below five
responses is withheld everywhere; each viewer reads only her part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.courses import teaching
from app.models import Course, CourseRun, CourseRunTrainer, EvaluationResponse, User
from tests.analytics.cohort import bearer
from tests.conftest import login
from tests.factories import UserFactory, World

URL = "/api/v1/courses/smart-governance/evaluations/results"
PAGE = "/trainer/courses/smart-governance/evaluations"
DELIVERY = ("akses", "petunjuk", "beban", "soal", "kepuasan")
TEACHING = ("penguasaan-materi", "sistematika", "bahasa", "relevansi", "motivasi")


@dataclass
class Data:
    ade: User  # a trainer of the course
    budi: User  # named on Angkatan II only
    runs: dict[str, CourseRun]


@pytest.fixture
def data(session: Session, world: World, courses_imported: None) -> Data:
    course = courses.published_course(session, slug="smart-governance")
    ade = UserFactory(roles=("trainer",), name="Ade Setiadi, S.T.")
    budi = UserFactory(roles=("trainer",), name="Budi Santoso, M.Si.")
    row = session.scalars(select(Course).where(Course.slug == "smart-governance")).one()
    teaching.assign_trainer(session, course=row, user=ade, actor=None)
    runs = {}
    for name, month in (("I", 3), ("II", 6), ("III", 9)):
        runs[name] = CourseRun(
            course_id=course.course_id, name=f"Angkatan {name}", starts_on=date(2026, month, 1)
        )
        session.add(runs[name])
    session.flush()
    session.add(CourseRunTrainer(run_id=runs["II"].id, user_id=budi.id))

    def respond(form: str, run: str, value: int, *, trainer: User | None = None,
                instansi: int | None = None, comment: str | None = None) -> None:  # fmt: skip
        questions = DELIVERY if form == "penyelenggaraan" else TEACHING
        session.add(
            EvaluationResponse(
                course_id=course.course_id,
                version_id=course.id,
                form_id=form,
                answers=dict.fromkeys(questions, value),
                comment=comment,
                year=2026,
                instansi_id=instansi or world.instansi.id,
                run_id=runs[run].id,
                trainer_id=trainer.id if trainer else None,
            )
        )

    # Delivery form, every statement answered with the same value per response:
    # I (our instansi): 5 4 4 3 4; II (the other instansi): 5 5 4 5 3 5; III: 1 1 2 (withheld)
    for i, v in enumerate((5, 4, 4, 3, 4)):
        respond("penyelenggaraan", "I", v, comment="Materi jelas" if i == 0 else None)
    for v in (5, 5, 4, 5, 3, 5):
        respond("penyelenggaraan", "II", v, instansi=world.other_instansi.id)
    for v in (1, 1, 2):
        respond("penyelenggaraan", "III", v, comment="Rahasia angkatan kecil")
    # Trainer form: Ade in I (4 ×5) and II (5 ×5); Budi in II (3 ×5)
    for _ in range(5):
        respond("pengajar", "I", 4, trainer=ade)
        respond("pengajar", "II", 5, trainer=ade)
        respond("pengajar", "II", 3, trainer=budi)
    session.commit()
    return Data(ade, budi, runs)


def _groups(body: dict) -> dict[tuple[str, str | None], dict]:  # type: ignore[type-arg]
    return {(g["form"], g["trainer"]["name"] if g["trainer"] else None): g for g in body["groups"]}


def test_results_equal_hand_computed_figures_and_a_small_run_counts_nowhere(
    client: TestClient, world: World, data: Data
) -> None:
    body = client.get(URL, headers=bearer(client, world.admin.email or "")).json()
    groups = _groups(body)
    delivery = groups[("penyelenggaraan", None)]
    # I and II only: (5+4+4+3+4) + (5+5+4+5+3+5) = 20 + 27 = 47 over 11 → 4.27
    # (with III it would be 51/14 = 3.64)
    assert delivery["responses"] == 11 and delivery["withheld"] == 3
    kepuasan = next(q for q in delivery["questions"] if q["id"] == "kepuasan")
    assert (kepuasan["n"], kepuasan["mean"]) == (11, 4.27)
    assert kepuasan["distribution"] == {"1": 0, "2": 0, "3": 2, "4": 4, "5": 5}
    assert delivery["comments"] == ["Materi jelas"]
    trend = [(t["run"]["name"], t["responses"], t["overall"]) for t in delivery["trend"]]
    # I: 20/5 = 4.00; II: 27/6 = 4.50; III withheld
    assert trend == [("Angkatan I", 5, 4.0), ("Angkatan II", 6, 4.5), ("Angkatan III", 3, None)]
    assert "Rahasia angkatan kecil" not in str(body)

    ade = groups[("pengajar", "Ade Setiadi, S.T.")]
    # I: 4 ×5, II: 5 ×5 → 45/10 = 4.50
    assert (ade["responses"], ade["questions"][0]["mean"]) == (10, 4.5)
    assert [t["overall"] for t in ade["trend"]] == [4.0, 5.0]
    budi = groups[("pengajar", "Budi Santoso, M.Si.")]
    assert (budi["responses"], budi["questions"][0]["mean"]) == (5, 3.0)


def test_one_run_only(client: TestClient, world: World, data: Data) -> None:
    h = bearer(client, world.admin.email or "")
    body = client.get(f"{URL}?run={data.runs['I'].id}", headers=h).json()
    assert body["run"]["name"] == "Angkatan I"
    delivery = _groups(body)[("penyelenggaraan", None)]
    assert (delivery["responses"], delivery["questions"][0]["mean"]) == (5, 4.0)
    small = client.get(f"{URL}?run={data.runs['III'].id}", headers=h).json()
    withheld = _groups(small)[("penyelenggaraan", None)]
    assert withheld["responses"] == 0 and withheld["withheld"] == 3
    assert withheld["comments"] is None and withheld["questions"][0]["mean"] is None


def test_a_course_trainer_reads_the_trainer_form_about_herself_only(
    client: TestClient, world: World, data: Data
) -> None:
    body = client.get(URL, headers=bearer(client, data.ade.nip or "")).json()
    groups = _groups(body)
    assert set(groups) == {("penyelenggaraan", None), ("pengajar", "Ade Setiadi, S.T.")}
    assert groups[("penyelenggaraan", None)]["responses"] == 11


def test_a_run_trainer_reads_her_runs_and_herself_only(
    client: TestClient, world: World, data: Data
) -> None:
    body = client.get(URL, headers=bearer(client, data.budi.nip or "")).json()
    groups = _groups(body)
    assert set(groups) == {("penyelenggaraan", None), ("pengajar", "Budi Santoso, M.Si.")}
    delivery = groups[("penyelenggaraan", None)]
    assert (delivery["responses"], delivery["questions"][0]["mean"]) == (6, 4.5)  # II only
    assert [t["run"]["name"] for t in delivery["trend"]] == ["Angkatan II"]
    other_run = client.get(
        f"{URL}?run={data.runs['I'].id}", headers=bearer(client, data.budi.nip or "")
    )
    assert other_run.status_code == 404


def test_hr_reads_her_instansi_only(client: TestClient, world: World, data: Data) -> None:
    ours = _groups(client.get(URL, headers=bearer(client, world.hr.nip or "")).json())
    assert ours[("penyelenggaraan", None)]["responses"] == 5  # Angkatan I
    assert ours[("pengajar", "Ade Setiadi, S.T.")]["responses"] == 10
    theirs = _groups(client.get(URL, headers=bearer(client, world.hr_other.nip or "")).json())
    assert theirs[("penyelenggaraan", None)]["questions"][0]["mean"] == 4.5  # Angkatan II
    assert ("pengajar", "Ade Setiadi, S.T.") not in theirs


def test_other_trainers_learners_and_anonymous_are_refused(
    client: TestClient, session: Session, world: World, data: Data
) -> None:
    stranger = UserFactory(roles=("trainer",))
    session.commit()
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(client, stranger.nip or "")).status_code == 404
    assert client.get(URL, headers=bearer(client, world.learner.nip or "")).status_code == 403
    assert client.get(PAGE, follow_redirects=False).status_code in (303, 403)
    login(client, stranger.nip or "")
    assert client.get(PAGE).status_code == 404
    client.cookies.clear()
    login(client, world.learner.nip or "")
    assert client.get(PAGE).status_code == 403


def test_results_page_shows_the_trend_and_withholds_the_small_run(
    client: TestClient, world: World, data: Data
) -> None:
    login(client, data.ade.nip or "")
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Angkatan III" in page.text and "ditahan" in page.text
    assert "4,27" in page.text and "Materi jelas" in page.text
    assert "Rahasia angkatan kecil" not in page.text and "Budi Santoso" not in page.text
    assert client.get(f"{PAGE}?run={data.runs['II'].id}").status_code == 200


def test_course_summary_counts_the_same_cells_so_no_difference_reveals_a_small_run(
    client: TestClient, world: World, data: Data
) -> None:
    """Were Angkatan III (3 responses) in the course summary, summary minus results would
    give its three responses away."""
    summary = "/api/v1/courses/smart-governance/evaluations/summary"
    body = client.get(summary, headers=bearer(client, world.admin.email or "")).json()
    forms = {f["id"]: f for f in body["forms"]}
    delivery = forms["penyelenggaraan"]
    assert (delivery["responses"], delivery["counted"]) == (14, 11)
    kepuasan = next(q for q in delivery["questions"] if q["id"] == "kepuasan")
    assert (kepuasan["n"], kepuasan["mean"]) == (11, 4.27)  # as in the results, not 51/14
    assert "Rahasia angkatan kecil" not in str(body)
    # a trainer of the course reads the trainer form about herself only: 4 ×5 and 5 ×5
    mine = client.get(summary, headers=bearer(client, data.ade.nip or "")).json()
    teaching_form = {f["id"]: f for f in mine["forms"]}["pengajar"]
    assert teaching_form["responses"] == 10 and teaching_form["questions"][0]["mean"] == 4.5
