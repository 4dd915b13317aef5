"""An assignment may name a run: its people are enrolled into that run when they start."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import service as assignments
from app.core import clock
from app.courses import runs
from app.models import Course, CourseRun, Enrollment
from tests.conftest import form_token, login
from tests.factories import World

pytestmark = pytest.mark.usefixtures("courses_imported")

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _run(session: Session, slug: str, instansi_id: int | None) -> CourseRun:
    course = session.scalars(select(Course).where(Course.slug == slug)).one()
    run = CourseRun(
        course_id=course.id, name=f"Angkatan {slug}", starts_on=date(2026, 12, 1),
        instansi_id=instansi_id,
    )  # fmt: skip
    session.add(run)
    session.flush()
    return run


def test_the_assigned_learner_is_enrolled_in_the_run_the_assignment_names(
    client: TestClient, session: Session, world: World
) -> None:
    run = _run(session, "literasi-digital", world.instansi.id)
    session.commit()
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/assignments/new")
    assert f'<option value="{run.id}"' in client.get("/hr/assignments/new").text
    made = client.post(
        "/hr/assignments",
        data={
            "csrf_token": token,
            "course": "literasi-digital",
            "units": [world.unit.code],
            "due_on": "2026-12-20",
            "run": str(run.id),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    client.cookies.clear()
    login(client, world.learner.nip or "")
    assert client.get("/courses/literasi-digital", follow_redirects=False).status_code == 303
    session.expire_all()
    enrolled = session.scalars(
        select(Enrollment).where(Enrollment.user_id == world.learner.id)
    ).one()
    assert enrolled.run_id == run.id


def test_without_a_run_the_assigned_learner_joins_the_open_run(
    client: TestClient, session: Session, world: World
) -> None:
    assignments.create(
        session, actor=world.hr, course_slug="literasi-digital", unit_codes=[world.unit.code],
        nips=[], due_on=date(2026, 12, 20),
    )  # fmt: skip
    session.commit()
    login(client, world.learner.nip or "")
    client.get("/courses/literasi-digital", follow_redirects=False)
    session.expire_all()
    enrolled = session.scalars(
        select(Enrollment).where(Enrollment.user_id == world.learner.id)
    ).one()
    assert enrolled.run_id == runs.open_run(session, course_id=enrolled.course_id).id


def test_a_run_of_another_course_or_instansi_is_refused(session: Session, world: World) -> None:
    other_course = _run(session, "smart-governance", world.instansi.id)
    other_instansi = _run(session, "literasi-digital", world.other_instansi.id)
    for run in (other_course, other_instansi):
        with pytest.raises(assignments.TargetError) as refused:
            assignments.create(
                session, actor=world.hr, course_slug="literasi-digital",
                unit_codes=[world.unit.code], nips=[], due_on=date(2026, 12, 20), run_id=run.id,
            )  # fmt: skip
        assert refused.value.field == "run"
