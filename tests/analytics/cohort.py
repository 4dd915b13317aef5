"""Fixed data for the analytics tests: a unit tree, learners with known scores (the `cohort`
fixture is registered in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import runs
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import Attempt, Enrollment, Role, Unit, User
from tests import factories
from tests.factories import PASSWORD, UnitFactory, UserFactory, World


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    ).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Cohort:
    course: Outline
    dinas: Unit  # a root unit
    bidang: Unit  # under dinas
    people: dict[str, User]
    enrollments: dict[str, Enrollment]


# name: (unit, pre-test, best post-test); hand-computed g = (post − pre) / (100 − pre)
LEARNERS: dict[str, tuple[str | None, float | None, float | None]] = {
    "ani": ("bidang", 40, 82),  # g = 42/60 = 0.70 tinggi
    "budi": ("dinas", 50, 60),  # g = 10/50 = 0.20 rendah
    "citra": ("dinas", 100, 90),  # pre-test 100: g undefined
    "dedi": ("sgp", 20, 60),  # g = 40/80 = 0.50 sedang
    "eka": ("bidang", 60, 48),  # g = −12/40 = −0.30 rendah
    "fajar": ("bidang", 30, None),  # no post-test: left out
    "hana": (None, 10, 55),  # no unit; g = 45/90 = 0.50 sedang
    "gita": ("other", 0, 100),  # another instansi; g = 1.00 tinggi
}


def enrol(
    session: Session, course: Outline, user: User, pre: float | None, post: float | None
) -> Enrollment:
    row = Enrollment(
        user_id=user.id,
        course_id=course.course_id,
        version_id=course.id,
        run_id=runs.open_run(session, course_id=course.course_id).id,
        pretest_score=pre,
        posttest_score=post,
    )
    session.add(row)
    session.flush()
    return row


def attempt(
    session: Session,
    enrollment: Enrollment,
    quiz_id: int,
    kind: str,
    number: int,
    results: dict[str, bool],
    at: datetime = datetime(2026, 6, 1, tzinfo=UTC),
) -> Attempt:
    score = round(100 * sum(results.values()) / len(results), 2) if results else 0.0
    row = Attempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz_id,
        kind=kind,
        number=number,
        status="submitted",
        started_at=at,
        submitted_at=at,
        score=score,
        passed=score >= 70,
        paper=[{"key": k, "choices": []} for k in results],
        results=results,
    )
    session.add(row)
    session.flush()
    return row


def unit_hr(session: Session, world: World, unit: Unit) -> User:
    """An HR officer whose role is narrowed to a unit subtree."""
    factories.bind(session)
    hr = UserFactory(roles=("hr",), instansi_id=world.instansi.id, unit_id=unit.id)
    next(r for r in hr.roles if r.role == Role.hr).unit_id = unit.id
    session.flush()
    return hr


def build_cohort(session: Session, world: World) -> Cohort:
    factories.bind(session)
    course = courses.published_course(session, slug="smart-governance")
    dinas = UnitFactory(instansi=world.instansi, code="DINAS", name="Dinas Uji")
    bidang = UnitFactory(
        instansi=world.instansi, code="DINAS.BID", name="Bidang Uji", parent_id=dinas.id
    )
    other_unit = UnitFactory(instansi=world.other_instansi, code="DINAS", name="Dinas Lain")
    units = {"dinas": dinas, "bidang": bidang, "sgp": world.unit, "other": other_unit}
    people: dict[str, User] = {}
    enrollments: dict[str, Enrollment] = {}
    for name, (unit, pre, post) in LEARNERS.items():
        instansi = world.other_instansi if unit == "other" else world.instansi
        person = UserFactory(
            instansi_id=instansi.id,
            unit_id=units[unit].id if unit else None,
            name=name.title(),
        )
        people[name] = person
        enrollments[name] = enrol(session, course, person, pre, post)
    session.commit()
    return Cohort(course, dinas, bidang, people, enrollments)
