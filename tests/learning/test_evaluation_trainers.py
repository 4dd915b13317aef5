"""The trainer form is filled once per trainer of the learner's run; the certificate waits for
every one of them; each response records its run and the trainer it is about, and nothing
that names the learner."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.completion import service as completion
from app.core.errors import Invalid
from app.courses import service as courses
from app.courses import teaching
from app.evaluations import service as evaluations
from app.learning import service as learning
from app.models import (
    Certificate,
    Course,
    CourseRun,
    CourseRunTrainer,
    EvaluationReceipt,
    EvaluationResponse,
    User,
)
from tests.certificates.test_certificates import FORMS, complete
from tests.conftest import csrf_from, login
from tests.factories import PASSWORD, UserFactory, World

pytestmark = pytest.mark.usefixtures("courses_imported")
URL = "/api/v1/courses/smart-governance/evaluations"


def _run_with_trainers(session: Session, learner: User, trainers: list[User]) -> CourseRun:
    """Moves the learner's enrolment into a new run taught by `trainers`."""
    version = courses.published_course(session, slug="smart-governance")
    run = CourseRun(course_id=version.course_id, name="Angkatan Uji", starts_on=date(2026, 9, 1))
    session.add(run)
    session.flush()
    for t in trainers:
        session.add(CourseRunTrainer(run_id=run.id, user_id=t.id))
    enrollment = learning.enrollment_for(session, user=learner, course_id=version.course_id)
    assert enrollment is not None
    enrollment.run_id = run.id
    session.commit()
    return run


def _bearer(client: TestClient, user: User) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"username": user.nip, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def test_trainer_form_is_filled_once_per_trainer_of_the_run_and_the_certificate_waits(
    client: TestClient, session: Session, world: World
) -> None:
    ade = UserFactory(roles=("trainer",), name="Ade Setiadi, S.T.")
    budi = UserFactory(roles=("trainer",), name="Budi Santoso, M.Si.")
    complete(session, world.learner, evaluate=False)
    run = _run_with_trainers(session, world.learner, [budi, ade])
    h = _bearer(client, world.learner)

    forms = {f["id"]: f for f in client.get(URL, headers=h).json()}
    # by name: Ade before Budi
    assert [(t["id"], t["submitted"]) for t in forms["pengajar"]["trainers"]] == [
        (ade.id, False),
        (budi.id, False),
    ]
    assert forms["penyelenggaraan"]["trainers"] == []

    answers = {"answers": FORMS["pengajar"]}
    assert client.post(f"{URL}/pengajar", headers=h, json=answers).status_code == 422
    stranger = UserFactory(roles=("trainer",))
    session.commit()
    assert (
        client.post(
            f"{URL}/pengajar", headers=h, json=answers | {"trainer": stranger.id}
        ).status_code
        == 404
    )
    ok = client.post(f"{URL}/pengajar", headers=h, json=answers | {"trainer": ade.id})
    assert ok.status_code == 200 and ok.json()["trainer"] == ade.id
    again = client.post(f"{URL}/pengajar", headers=h, json=answers | {"trainer": ade.id})
    assert again.status_code == 409
    done = client.post(
        f"{URL}/penyelenggaraan", headers=h, json={"answers": FORMS["penyelenggaraan"]}
    )
    assert done.status_code == 200
    assert session.scalars(select(Certificate)).first() is None, "Budi is not evaluated yet"
    forms = {f["id"]: f for f in client.get(URL, headers=h).json()}
    assert forms["pengajar"]["submitted"] is False
    assert [t["submitted"] for t in forms["pengajar"]["trainers"]] == [True, False]

    last = client.post(f"{URL}/pengajar", headers=h, json=answers | {"trainer": budi.id})
    assert last.status_code == 200
    session.expire_all()
    assert session.scalars(select(Certificate)).one() is not None

    about = sorted(
        (r.form_id, r.trainer_id, r.run_id) for r in session.scalars(select(EvaluationResponse))
    )
    assert about == sorted(
        [
            ("pengajar", ade.id, run.id),
            ("pengajar", budi.id, run.id),
            ("penyelenggaraan", None, run.id),
        ]
    )
    receipts = sorted(
        (r.form_id, r.trainer_id or 0) for r in session.scalars(select(EvaluationReceipt))
    )
    assert receipts == sorted([("pengajar", ade.id), ("pengajar", budi.id), ("penyelenggaraan", 0)])


def test_without_run_trainers_the_course_trainers_are_evaluated_and_without_any_once(
    session: Session, world: World
) -> None:
    version = courses.published_course(session, slug="smart-governance")
    complete(session, world.learner, evaluate=False)
    enrollment = learning.enrollment_for(session, user=world.learner, course_id=version.course_id)
    assert enrollment is not None

    states = evaluations.states(session, enrollment=enrollment, version=version)
    assert [(s.form["id"], s.trainer) for s in states] == [
        ("pengajar", None),
        ("penyelenggaraan", None),
    ]
    course = session.scalars(select(Course).where(Course.slug == "smart-governance")).one()
    teaching.assign_trainer(session, course=course, user=world.trainer, actor=None)
    states = evaluations.states(session, enrollment=enrollment, version=version)
    assert [s.trainer.id if s.trainer else None for s in states] == [world.trainer.id, None]
    with pytest.raises(Invalid, match="Pilih pengajar"):
        completion.submit_evaluation(
            session,
            enrollment=enrollment,
            version=version,
            form_id="pengajar",
            answers=FORMS["pengajar"],
            comment=None,
        )


def test_trainer_form_page_names_the_trainer_and_posts_it(
    client: TestClient, session: Session, world: World
) -> None:
    ade = UserFactory(roles=("trainer",), name="Ade Setiadi, S.T.")
    complete(session, world.learner, evaluate=False)
    _run_with_trainers(session, world.learner, [ade])
    login(client, world.learner.nip or "")
    course = client.get("/courses/smart-governance")
    assert f"/evaluations/pengajar?trainer={ade.id}" in course.text and "Ade Setiadi" in course.text
    page = client.get(f"/courses/smart-governance/evaluations/pengajar?trainer={ade.id}")
    assert page.status_code == 200 and "Ade Setiadi" in page.text
    assert f'name="trainer" value="{ade.id}"' in page.text
    data = {"csrf_token": csrf_from(page.text), "trainer": str(ade.id)} | {
        f"q-{k}": str(v) for k, v in FORMS["pengajar"].items()
    }
    sent = client.post(
        "/courses/smart-governance/evaluations/pengajar", data=data, follow_redirects=False
    )
    assert sent.status_code == 303
    row = session.scalars(select(EvaluationResponse)).one()
    assert row.trainer_id == ade.id
    assert (
        client.get("/courses/smart-governance/evaluations/pengajar?trainer=999999").status_code
        == 404
    )
