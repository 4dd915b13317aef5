import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.completion import service as completion
from app.courses import service as courses
from app.learning import service as learning
from app.models import EvaluationResponse
from tests.conftest import csrf_from, form_token, login
from tests.factories import PASSWORD, World
from tests.learning.helpers import finish_lessons

pytestmark = pytest.mark.usefixtures("courses_imported")

GOOD = {"penguasaan-materi": 5, "sistematika": 4, "bahasa": 4, "relevansi": 5, "motivasi": 3}


def _finish_lessons(session: Session, world: World, slug: str = "smart-governance"):  # type: ignore[no-untyped-def]
    version = courses.published_course(session, slug=slug)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    finish_lessons(session, enrollment)
    session.commit()
    return version, enrollment


def test_evaluations_open_at_the_end_and_are_filled_once(
    client: TestClient, session: Session, world: World
) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": PASSWORD}
    ).json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    client.post("/api/v1/courses/smart-governance/enrollment", headers=h)
    forms = client.get("/api/v1/courses/smart-governance/evaluations", headers=h).json()
    assert [f["id"] for f in forms] == ["pengajar", "penyelenggaraan"]
    assert forms[0]["questions"][0] == {
        "id": "penguasaan-materi",
        "text": forms[0]["questions"][0]["text"],
        "scale": [1, 5],
    }
    early = client.post(
        "/api/v1/courses/smart-governance/evaluations/pengajar", headers=h, json={"answers": GOOD}
    )
    assert early.status_code == 403

    _finish_lessons(session, world)
    ok = client.post(
        "/api/v1/courses/smart-governance/evaluations/pengajar",
        headers=h,
        json={"answers": GOOD, "comment": "Contohnya dekat dengan pekerjaan kami."},
    )
    assert ok.status_code == 200, ok.text
    again = client.post(
        "/api/v1/courses/smart-governance/evaluations/pengajar", headers=h, json={"answers": GOOD}
    )
    assert again.status_code == 409
    bad = client.post(
        "/api/v1/courses/smart-governance/evaluations/penyelenggaraan",
        headers=h,
        json={"answers": {"akses": 7}},
    )
    assert bad.status_code == 422
    assert [
        f["submitted"]
        for f in client.get("/api/v1/courses/smart-governance/evaluations", headers=h).json()
    ] == [True, False]


def test_stored_response_does_not_identify_the_learner(session: Session, world: World) -> None:
    version, enrollment = _finish_lessons(session, world)
    completion.submit_evaluation(
        session,
        enrollment=enrollment,
        version=version,
        form_id="pengajar",
        answers=GOOD,
        comment=None,
    )
    row = session.scalars(select(EvaluationResponse)).one()
    columns = set(EvaluationResponse.__table__.columns.keys())
    assert not {"user_id", "enrollment_id"} & columns
    assert row.answers == GOOD


def test_response_cannot_be_joined_to_the_receipt(session: Session, world: World) -> None:
    """The receipt says who filled which form; the response says what was answered. Nothing
    they share (an id, an order, a date) may join the two."""
    from sqlalchemy import Date, DateTime

    from app.models import EvaluationReceipt

    version, enrollment = _finish_lessons(session, world)
    for form_id, answers in (
        ("pengajar", GOOD),
        ("penyelenggaraan", {"akses": 4, "petunjuk": 4, "beban": 3, "soal": 4, "kepuasan": 5}),
    ):
        completion.submit_evaluation(
            session,
            enrollment=enrollment,
            version=version,
            form_id=form_id,
            answers=answers,
            comment=None,
        )
    receipts = {str(r.id) for r in session.scalars(select(EvaluationReceipt))}
    responses = list(session.scalars(select(EvaluationResponse)))
    assert len(responses) == 2
    for row in responses:
        assert str(row.id) not in receipts
        assert len(str(row.id)) == 32 and not str(row.id).isdigit(), "random, not a sequence"
    for table in (EvaluationResponse.__table__, EvaluationReceipt.__table__):
        dated = [
            c.name
            for c in table.columns
            if isinstance(getattr(c.type, "impl", c.type), Date | DateTime)
        ]
        assert dated == [], f"{table.name} keeps a date: {dated}"


def test_evaluation_form_page_works_without_javascript(
    client: TestClient, session: Session, world: World
) -> None:
    _finish_lessons(session, world)
    login(client, world.learner.nip or "")
    course = client.get("/courses/smart-governance")
    assert "Evaluasi kursus" in course.text
    page = client.get("/courses/smart-governance/evaluations/pengajar")
    data = {"csrf_token": csrf_from(page.text), "comment": "Baik"} | {
        f"q-{k}": str(v) for k, v in GOOD.items()
    }
    incomplete = dict(data)
    del incomplete["q-motivasi"]
    refused = client.post("/courses/smart-governance/evaluations/pengajar", data=incomplete)
    assert refused.status_code == 422 and "1 belum diisi" in refused.text
    assert (
        client.post(
            "/courses/smart-governance/evaluations/pengajar", data=data, follow_redirects=False
        ).status_code
        == 303
    )
    assert "✓ terisi" in client.get("/courses/smart-governance").text
    assert form_token(client, "/courses/smart-governance/evaluations/pengajar")
