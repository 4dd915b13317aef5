"""Assignments: HR assigns a course to units, people or a filter; who is assigned follows the
targets (a person created afterwards in a targeted unit is assigned); scope; pages; API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assignments import progress, repository
from app.assignments import service as assignments
from app.core import clock
from app.models import Assignment, AuditEvent, Enrollment, User
from tests.accounts.test_api_auth import token_for
from tests.certificates.test_certificates import complete
from tests.conftest import form_token, login
from tests.factories import UnitFactory, UserFactory, World

pytestmark = pytest.mark.usefixtures("courses_imported")

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10.00 WIB


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    clock.freeze(NOW)
    yield
    clock.freeze(None)


def _bearer(client: TestClient, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(client, user.nip or user.email or '')}"}


def _assign(session: Session, world: World, **kw: object) -> Assignment:
    params: dict[str, object] = {
        "actor": world.hr,
        "course_slug": "literasi-digital",
        "unit_codes": [world.unit.code],
        "nips": [],
        "due_on": date(2026, 12, 20),
    }
    params.update(kw)
    assignment = assignments.create(session, **params)  # type: ignore[arg-type]
    session.commit()
    return assignment


def test_a_person_created_later_in_a_sub_unit_is_assigned(session: Session, world: World) -> None:
    sub = UnitFactory(instansi=world.instansi, parent_id=world.unit.id, code="KEC.SGP.DESA")
    assignment = _assign(session, world)
    before = progress.people_count(session, viewer=world.hr, assignment=assignment)
    newcomer = UserFactory(instansi_id=world.instansi.id, unit_id=sub.id, email="baru@contoh.test")
    session.commit()
    assert progress.people_count(session, viewer=world.hr, assignment=assignment) == before + 1
    [mine] = progress.mine(session, user=newcomer)
    assert mine.assignment.id == assignment.id and mine.status == "not_started"
    # Nobody of the other instansi, and no one who is not a learner (the HR officer, admin).
    users = {
        u.id
        for u, _ in repository.people_of(
            session, assignment=assignment, people=User.id.is_not(None)
        )
    }
    assert world.hr_other.id not in users and world.hr.id not in users
    assert world.learner.id in users and newcomer.id in users


def test_filter_narrows_to_jenis_asn_and_named_people_are_added(
    session: Session, world: World
) -> None:
    pppk = UserFactory(instansi_id=world.instansi.id, unit_id=world.unit.id, jenis_asn="PPPK")
    elsewhere = UserFactory(instansi_id=world.instansi.id, unit_id=None)
    session.commit()
    assignment = _assign(session, world, jenis_asn="PPPK", nips=[elsewhere.nip])
    users = {
        u.id
        for u, _ in repository.people_of(
            session, assignment=assignment, people=User.id.is_not(None)
        )
    }
    assert users == {pppk.id, elsewhere.id}


def test_statuses_follow_enrolment_completion_and_the_deadline(
    session: Session, world: World
) -> None:
    assignment = _assign(session, world, course_slug="smart-governance")
    complete(session, world.learner)
    session.commit()
    status = {m.assignment.id: m.status for m in progress.mine(session, user=world.learner)}
    assert status[assignment.id] == "completed"
    assert progress.mine(session, user=world.learner2)[0].status == "not_started"
    clock.freeze(datetime(2026, 12, 21, 3, 0, tzinfo=UTC))
    assert progress.mine(session, user=world.learner2)[0].status == "overdue"
    assert progress.mine(session, user=world.learner)[0].status == "completed"


def test_api_creates_and_lists_assignments_with_counts(
    client: TestClient, session: Session, world: World
) -> None:
    headers = _bearer(client, world.hr)
    response = client.post(
        "/api/v1/assignments",
        json={
            "course": "literasi-digital",
            "units": ["KEC.SGP"],
            "people": [],
            "due_on": "2026-12-20",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "course", "due_on", "people"}
    # learner, learner2 and the trainer (a learner too) of KEC.SGP
    assert body["course"] == "literasi-digital" and body["due_on"] == "2026-12-20"
    assert body["people"] == 3
    listed = client.get("/api/v1/assignments", headers=headers).json()
    assert [a["id"] for a in listed] == [body["id"]]
    assert listed[0]["people"] == 3 and listed[0]["completed"] == 0 and listed[0]["overdue"] == 0

    mine = client.get("/api/v1/me/assignments", headers=_bearer(client, world.learner))
    assert mine.json() == [
        {
            "id": body["id"],
            "course": "literasi-digital",
            "due_on": "2026-12-20",
            "status": "not_started",
        }
    ]


@pytest.mark.parametrize(
    ("payload", "status", "fragment"),
    [
        ({"course": "tidak-ada"}, 404, "Kursus"),
        ({"units": ["TIDAK.ADA"]}, 404, "Unit"),
        ({"due_on": "2026-11-29"}, 422, "Tenggat"),
        ({"units": [], "people": []}, 422, "paling sedikit"),
        ({"units": [], "people": ["199001012020121001"]}, 404, "NIP"),
        ({"jenis_asn": "HONORER"}, 422, "Jenis ASN"),
    ],
)
def test_api_refuses_bad_assignments_with_a_clear_detail(
    client: TestClient, world: World, payload: dict[str, object], status: int, fragment: str
) -> None:
    body = {"course": "literasi-digital", "units": ["KEC.SGP"], "due_on": "2026-12-20", **payload}
    response = client.post("/api/v1/assignments", json=body, headers=_bearer(client, world.hr))
    assert response.status_code == status, response.text
    assert fragment in response.json()["detail"]


def test_hr_of_another_instansi_cannot_see_assign_or_withdraw_ours(
    client: TestClient, session: Session, world: World
) -> None:
    assignment = _assign(session, world)
    other = _bearer(client, world.hr_other)
    assert client.get("/api/v1/assignments", headers=other).json() == []
    refused = client.post(
        "/api/v1/assignments",
        json={"course": "literasi-digital", "units": ["KEC.SGP"], "due_on": "2026-12-20"},
        headers=other,
    )
    assert refused.status_code == 404  # our unit does not exist in her instansi
    refused = client.post(
        "/api/v1/assignments",
        json={"course": "literasi-digital", "people": [world.learner.nip], "due_on": "2026-12-20"},
        headers=other,
    )
    assert refused.status_code == 404
    login(client, world.hr_other.nip or "")
    assert client.get(f"/hr/assignments/{assignment.id}").status_code == 404
    token = form_token(client, "/hr/assignments")
    withdrawn = client.post(
        f"/hr/assignments/{assignment.id}/withdraw",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 404
    session.expire_all()
    assert session.get(Assignment, assignment.id).status == "active"  # type: ignore[union-attr]


def test_unit_scoped_hr_cannot_target_a_unit_outside_her_subtree(
    client: TestClient, session: Session, world: World
) -> None:
    mine = UnitFactory(instansi=world.instansi, code="DINKES")
    officer = UserFactory(roles=("hr",), instansi_id=world.instansi.id, unit_id=mine.id)
    officer.roles[0].unit_id = mine.id
    session.commit()
    response = client.post(
        "/api/v1/assignments",
        json={"course": "literasi-digital", "units": ["KEC.SGP"], "due_on": "2026-12-20"},
        headers=_bearer(client, officer),
    )
    assert response.status_code == 403 and "lingkup" in response.json()["detail"]


def test_learner_is_refused_and_anonymous_must_authenticate(
    client: TestClient, world: World
) -> None:
    assert client.get("/api/v1/assignments").status_code == 401
    assert client.get("/api/v1/me/assignments").status_code == 401
    learner = _bearer(client, world.learner)
    assert client.get("/api/v1/assignments", headers=learner).status_code == 403
    assert client.post("/api/v1/assignments", json={}, headers=learner).status_code == 403
    login(client, world.learner.nip or "")
    assert client.get("/hr/assignments").status_code == 403


def test_hr_assigns_in_the_form_then_extends_and_withdraws_with_audit(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/assignments/new")
    page = client.get("/hr/assignments/new")
    assert "Kecamatan Singaparna" in page.text and "Literasi Digital" in page.text
    bad = client.post(
        "/hr/assignments",
        data={"csrf_token": token, "course": "literasi-digital", "due_on": "2026-12-20"},
    )
    assert bad.status_code == 422 and "Pilih paling sedikit satu unit" in bad.text
    created = client.post(
        "/hr/assignments",
        data={
            "csrf_token": token,
            "course": "literasi-digital",
            "units": ["KEC.SGP"],
            "due_on": "2026-12-20",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = created.headers["location"]
    detail = client.get(url)
    assert "20 Desember 2026" in detail.text and "Rina Marlina" in detail.text
    assert "belum mulai" in detail.text
    listing = client.get("/hr/assignments")
    assert "3 pegawai" in listing.text and "stack-bar" in listing.text

    early = client.post(f"{url}/extend", data={"csrf_token": token, "due_on": "2026-12-10"})
    assert early.status_code == 422 and "setelah tenggat saat ini" in early.text
    extended = client.post(
        f"{url}/extend", data={"csrf_token": token, "due_on": "2027-01-15"}, follow_redirects=False
    )
    assert extended.status_code == 303
    withdrawn = client.post(f"{url}/withdraw", data={"csrf_token": token}, follow_redirects=False)
    assert withdrawn.status_code == 303
    session.expire_all()
    assignment = session.scalars(select(Assignment)).one()
    assert assignment.status == "withdrawn" and assignment.due_on == date(2027, 1, 15)
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "assignment")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["assignment.create", "assignment.extend", "assignment.withdraw"]
    extend_event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assignment.extend")
    ).one()
    assert extend_event.actor_id == world.hr.id
    assert extend_event.detail == {"from": "2026-12-20", "to": "2027-01-15"}
    # Withdrawn: the learner no longer sees it.
    assert progress.mine(session, user=world.learner) == []


def test_learner_sees_the_assignment_on_her_dashboard_and_is_enrolled_on_first_visit(
    client: TestClient, session: Session, world: World
) -> None:
    _assign(session, world)
    login(client, world.learner.nip or "")
    home = client.get("/")
    assert "Pelatihan wajib" in home.text and "20 Desember 2026" in home.text
    assert "belum mulai" in home.text
    first = client.get("/courses/literasi-digital", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/courses/literasi-digital?ditugaskan=1"
    session.expire_all()
    enrolled = session.scalars(
        select(Enrollment).where(Enrollment.user_id == world.learner.id)
    ).one()
    assert enrolled.status == "in_progress"
    assert client.get("/courses/literasi-digital", follow_redirects=False).status_code == 200
    assert "berjalan" in client.get("/").text
    # A course nobody assigned her is not enrolled by a visit.
    assert client.get("/courses/smart-governance", follow_redirects=False).status_code == 200
    session.expire_all()
    assert (
        len(session.scalars(select(Enrollment).where(Enrollment.user_id == world.learner.id)).all())
        == 1
    )


def test_targets_by_person_gives_one_row_per_person_and_course_with_the_earliest_deadline(
    session: Session, world: World
) -> None:
    _assign(session, world, due_on=date(2026, 12, 20))
    _assign(session, world, due_on=date(2026, 12, 10), unit_codes=[], nips=[world.learner.nip])
    _assign(session, world, course_slug="smart-governance")
    from app.accounts.scope import scope_of

    targets = repository.targets_by_person(people=scope_of(session, world.hr).people())
    rows = session.execute(
        select(targets.c.user_id, targets.c.course_id, targets.c.due_on)
        .where(targets.c.user_id == world.learner.id)
        .order_by(targets.c.due_on)
    ).all()
    assert [r.due_on for r in rows] == [date(2026, 12, 10), date(2026, 12, 20)]
    other = repository.targets_by_person(people=scope_of(session, world.hr_other).people())
    assert session.execute(select(other.c.user_id)).all() == []


def test_hr_opts_out_of_the_digest_on_her_account_page_but_a_learner_cannot(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr.nip or "")
    page = client.get("/account")
    assert "Ringkasan mingguan penugasan" in page.text and "Berhenti menerima" in page.text
    token = form_token(client, "/account")
    done = client.post(
        "/account/digest", data={"csrf_token": token, "wants": "tidak"}, follow_redirects=False
    )
    assert done.status_code == 303
    session.expire_all()
    assert session.get(User, world.hr.id).wants_digest is False  # type: ignore[union-attr]
    assert "Terima lagi" in client.get("/account").text
    login(client, world.learner.nip or "")
    assert "Ringkasan mingguan" not in client.get("/account").text
    token = form_token(client, "/account")
    refused = client.post("/account/digest", data={"csrf_token": token, "wants": "tidak"})
    assert refused.status_code == 403


def test_nips_are_read_as_hr_pastes_them() -> None:
    pasted = "1990 0314 2015 03 2 001\n199001162020052025, 199204232022092007;\n\n1990.0314.2015.03.2.001"
    assert assignments.parse_nips(pasted) == [
        "199003142015032001",
        "199001162020052025",
        "199204232022092007",
    ]
    assert assignments.parse_nips("199003142015032001 199001162020052025") == [
        "199003142015032001",
        "199001162020052025",
    ]
