"""Evaluation summaries: n, mean and distribution per question as computed by hand; means,
distributions and comments withheld below five responses; HR reads her own instansi's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.completion import service as completion
from app.courses import service as courses
from app.learning import service as learning
from app.models import EvaluationResponse, Instansi
from tests.analytics.cohort import bearer, unit_hr
from tests.conftest import QueryCounter, login
from tests.factories import World
from tests.learning.helpers import finish_lessons

URL = "/api/v1/courses/smart-governance/evaluations/summary"
PENGAJAR = ("penguasaan-materi", "sistematika", "bahasa", "relevansi", "motivasi")
PENYELENGGARAAN = ("akses", "petunjuk", "beban", "soal", "kepuasan")
# five responses to the trainer form: (score of every question but the first, first, comment)
OURS = [
    (4, 5, "Materi sangat relevan."),
    (4, 4, None),
    (3, 4, "<script>alert('x')</script> kurang contoh"),
    (5, 3, "  "),
    (4, 5, "Bagus & jelas"),
]


def _response(
    session: Session,
    instansi: Instansi | None,
    form: str,
    scores: dict[str, int],
    comment: str | None = None,
) -> None:
    course = courses.published_course(session, slug="smart-governance")
    session.add(
        EvaluationResponse(
            course_id=course.course_id,
            version_id=course.id,
            form_id=form,
            answers=scores,
            comment=comment,
            year=2026,
            instansi_id=instansi.id if instansi else None,
        )
    )


def _fill(session: Session, world: World, delivery: int = 4) -> None:
    for rest, first, comment in OURS:
        answers = {q: rest for q in PENGAJAR} | {"penguasaan-materi": first}
        _response(session, world.instansi, "pengajar", answers, comment)
    for _ in range(delivery):
        scores = dict.fromkeys(PENYELENGGARAAN, 2)
        _response(session, world.instansi, "penyelenggaraan", scores, "Video sering macet")
    _response(session, world.other_instansi, "pengajar", dict.fromkeys(PENGAJAR, 1), "Lain")
    _response(session, None, "pengajar", dict.fromkeys(PENGAJAR, 1), "Lama")
    session.commit()


def _forms(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {f["id"]: f for f in body["forms"]}


def _questions(form: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {q["id"]: q for q in form["questions"]}


def test_summary_equals_hand_computed_values(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world)
    body = client.get(URL, headers=bearer(client, world.hr.nip or "")).json()
    assert body["min_responses"] == 5
    trainer = _forms(body)["pengajar"]
    assert trainer["responses"] == 5
    first = _questions(trainer)["penguasaan-materi"]
    assert first["n"] == 5
    assert first["mean"] == (5 + 4 + 4 + 3 + 5) / 5 == 4.2
    assert first["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2}
    other = _questions(trainer)["motivasi"]
    assert other["mean"] == (4 + 4 + 3 + 5 + 4) / 5 == 4.0
    assert other["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 3, "5": 1}
    # blank comments dropped, the rest in alphabetical order, not in the order written
    assert trainer["comments"] == [
        "<script>alert('x')</script> kurang contoh",
        "Bagus & jelas",
        "Materi sangat relevan.",
    ]


def test_mean_is_withheld_at_four_responses_and_shown_at_five(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world, delivery=4)
    h = bearer(client, world.hr.nip or "")
    delivery = _forms(client.get(URL, headers=h).json())["penyelenggaraan"]
    assert delivery["responses"] == 4
    for q in delivery["questions"]:
        assert (q["n"], q["mean"], q["distribution"]) == (4, None, None)
    assert delivery["comments"] is None
    _response(session, world.instansi, "penyelenggaraan", dict.fromkeys(PENYELENGGARAAN, 4))
    session.commit()
    delivery = _forms(client.get(URL, headers=h).json())["penyelenggaraan"]
    assert delivery["responses"] == 5
    akses = _questions(delivery)["akses"]
    assert (akses["n"], akses["mean"]) == (5, 2.4)
    assert akses["distribution"] == {"1": 0, "2": 4, "3": 0, "4": 1, "5": 0}
    assert delivery["comments"] == ["Video sering macet"] * 4


def test_hr_of_another_instansi_sees_only_her_own_responses(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world)
    body = client.get(URL, headers=bearer(client, world.hr_other.nip or "")).json()
    trainer = _forms(body)["pengajar"]
    assert trainer["responses"] == 1  # hers; none of ours, not the unattributed one
    assert all(q["mean"] is None for q in trainer["questions"])
    assert trainer["comments"] is None
    assert _forms(body)["penyelenggaraan"]["responses"] == 0


def test_admin_sees_every_response_including_unattributed_ones(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world)
    body = client.get(URL, headers=bearer(client, world.admin.email or "")).json()
    trainer = _forms(body)["pengajar"]
    assert trainer["responses"] == 7
    assert _questions(trainer)["penguasaan-materi"]["mean"] == round((21 + 1 + 1) / 7, 2)


def test_hr_scoped_to_a_unit_reads_her_whole_instansi(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world)
    hr = unit_hr(session, world, world.unit)
    session.commit()
    body = client.get(URL, headers=bearer(client, hr.nip or "")).json()
    assert _forms(body)["pengajar"]["responses"] == 5


def test_learner_anonymous_and_a_trainer_not_teaching_the_course_are_refused(
    client: TestClient, world: World, courses_imported: None
) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer(client, world.learner.nip or "")).status_code == 403
    # a trainer reads only the courses she teaches (issue 13); this one is not hers
    assert client.get(URL, headers=bearer(client, world.trainer.nip or "")).status_code == 404


def test_a_submission_records_the_learners_instansi_and_nothing_finer(
    session: Session, world: World, courses_imported: None
) -> None:
    version = courses.published_course(session, slug="smart-governance")
    enrollment = learning.enrol(session, user=world.learner, version=version)
    finish_lessons(session, enrollment)  # the pre-test first, then every lesson
    completion.submit_evaluation(
        session,
        enrollment=enrollment,
        version=version,
        form_id="pengajar",
        answers=dict.fromkeys(PENGAJAR, 4),
        comment=None,
    )
    row = session.scalars(select(EvaluationResponse)).one()
    assert row.instansi_id == world.instansi.id
    assert not {"unit_id", "user_id", "enrollment_id"} & set(
        EvaluationResponse.__table__.columns.keys()
    )


def test_query_count_does_not_grow_with_responses(
    client: TestClient,
    session: Session,
    world: World,
    courses_imported: None,
    queries: QueryCounter,
) -> None:
    _fill(session, world)
    h = bearer(client, world.hr.nip or "")
    client.get(URL, headers=h)
    queries.count = 0
    client.get(URL, headers=h)
    before = queries.count
    _fill(session, world)
    queries.count = 0
    assert _forms(client.get(URL, headers=h).json())["pengajar"]["responses"] == 10
    assert queries.count == before


def test_evaluation_page_withholds_and_escapes(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    _fill(session, world)
    login(client, world.hr.nip or "")
    page = client.get("/hr/reports/evaluations?course=smart-governance")
    assert page.status_code == 200
    text = page.text
    assert "4,20" in text  # decimal comma
    assert "&lt;script&gt;alert(" in text and "<script>alert(" not in text
    assert "Bagus &amp; jelas" in text
    assert "Video sering macet" not in text  # 4 delivery responses: comments withheld
    assert "ditahan (n &lt; 5)" in text
    assert 'href="/hr/reports/evaluations"' in text
    assert client.get("/hr/reports/evaluations?course=tidak-ada").status_code == 404
    login(client, world.learner.nip or "")
    assert client.get("/hr/reports/evaluations?course=smart-governance").status_code == 403
