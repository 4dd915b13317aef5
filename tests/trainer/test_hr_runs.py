"""HR makes a run (angkatan) of a course and enrols the people of its scope into it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.learning import service as learning
from app.models import AuditEvent, CourseRun, Enrollment
from tests.conftest import form_token, login
from tests.factories import UserFactory, World


def _make_run(client: TestClient, name: str = "Angkatan I 2026") -> int:
    token = form_token(client, "/hr/runs")
    made = client.post(
        "/hr/runs",
        data={
            "csrf_token": token,
            "course": "literasi-digital",
            "name": name,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-20",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    match = re.fullmatch(r"/hr/runs/(\d+)", made.headers["location"])
    assert match
    return int(match.group(1))


def test_hr_creates_a_run_and_enrols_people_of_its_scope_only(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    stranger = UserFactory(instansi_id=world.other_instansi.id)
    version = courses.published_course(session, slug="literasi-digital")
    before = learning.enrol(session, user=world.learner2, version=version)  # self-paced
    session.commit()
    assert login(client, world.hr.nip or "").status_code == 303
    run_id = _make_run(client)

    token = form_token(client, f"/hr/runs/{run_id}")
    people = f"{world.learner.nip}\n{world.learner2.nip}, {stranger.nip}"
    done = client.post(
        f"/hr/runs/{run_id}/people",
        data={"csrf_token": token, "people": people},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    in_run = session.scalars(select(Enrollment.user_id).where(Enrollment.run_id == run_id)).all()
    assert set(in_run) == {world.learner.id, world.learner2.id}
    moved = session.get(Enrollment, before.id)
    assert moved is not None and moved.run_id == run_id, "moved, not enrolled twice"
    assert not session.scalars(select(Enrollment).where(Enrollment.user_id == stranger.id)).all()
    page = client.get(f"/hr/runs/{run_id}")
    assert world.learner.name in page.text and stranger.name not in page.text
    run = session.get(CourseRun, run_id)
    assert run is not None and run.instansi_id == world.instansi.id and not run.is_open
    actions = set(session.scalars(select(AuditEvent.action)).all())
    assert {"run.create", "run.enrol"} <= actions


def test_an_invalid_run_form_rerenders_with_422(
    client: TestClient, world: World, courses_imported: None
) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/runs")
    bad = client.post(
        "/hr/runs",
        data={"csrf_token": token, "course": "literasi-digital", "name": "A", "starts_on": ""},
    )
    assert bad.status_code == 422 and "Nama angkatan" in bad.text
    late = client.post(
        "/hr/runs",
        data={
            "csrf_token": token,
            "course": "literasi-digital",
            "name": "Angkatan II",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
        },
    )
    assert late.status_code == 422 and "sebelum tanggal mulai" in late.text


def test_hr_of_another_instansi_learners_trainers_and_anonymous_cannot_see_a_run(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    login(client, world.hr.nip or "")
    run_id = _make_run(client, "Angkatan Rahasia Tasik")
    client.post("/logout", data={"csrf_token": form_token(client, "/hr/runs")})
    client.cookies.clear()
    assert client.get(f"/hr/runs/{run_id}", follow_redirects=False).status_code == 303
    login(client, world.hr_other.nip or "")
    assert client.get(f"/hr/runs/{run_id}").status_code == 404
    assert "Angkatan Rahasia Tasik" not in client.get("/hr/runs").text
    for person in (world.learner, world.trainer):
        client.cookies.clear()
        login(client, person.nip or "")
        assert client.get(f"/hr/runs/{run_id}").status_code == 403
        assert client.get("/hr/runs").status_code == 403
    client.cookies.clear()
    login(client, world.admin.email or "")
    assert client.get(f"/hr/runs/{run_id}").status_code == 200


def test_hr_names_a_trainer_of_the_run_who_then_sees_it_and_can_remove_her(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    trainer = world.trainer
    login(client, world.hr.nip or "")
    run_id = _make_run(client)

    def post(nip: str, action: str = "add") -> int:
        token = form_token(client, f"/hr/runs/{run_id}")
        return client.post(
            f"/hr/runs/{run_id}/trainers",
            data={"csrf_token": token, "nip": nip, "action": action},
            follow_redirects=False,
        ).status_code

    login_name = trainer.nip or trainer.email or ""
    client.cookies.clear()
    login(client, login_name)
    assert client.get(f"/trainer/runs/{run_id}").status_code == 404, "not hers yet"
    client.cookies.clear()
    login(client, world.hr.nip or "")
    refused = client.post(
        f"/hr/runs/{run_id}/trainers",
        data={"csrf_token": form_token(client, f"/hr/runs/{run_id}"), "nip": world.learner.nip},
    )
    assert refused.status_code == 422 and "bukan akun widyaiswara" in refused.text
    assert post(trainer.nip or "") == 303
    assert trainer.name in client.get(f"/hr/runs/{run_id}").text
    client.cookies.clear()
    login(client, login_name)
    assert client.get(f"/trainer/runs/{run_id}").status_code == 200
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert post(trainer.nip or "", "remove") == 303
    client.cookies.clear()
    login(client, login_name)
    assert client.get(f"/trainer/runs/{run_id}").status_code == 404
    actions = set(session.scalars(select(AuditEvent.action)).all())
    assert {"run.trainer_add", "run.trainer_remove"} <= actions


def test_hr_of_another_instansi_cannot_name_trainers_of_our_run(
    client: TestClient, world: World, courses_imported: None
) -> None:
    login(client, world.hr.nip or "")
    run_id = _make_run(client)
    client.cookies.clear()
    login(client, world.hr_other.nip or "")
    token = form_token(client, "/hr/runs")
    answer = client.post(
        f"/hr/runs/{run_id}/trainers",
        data={"csrf_token": token, "nip": world.trainer.nip, "action": "add"},
    )
    assert answer.status_code == 404
