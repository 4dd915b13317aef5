"""Transfers (*mutasi*) and HR roles narrowed to a unit subtree: admin forms on a user's page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Certificate, Enrollment, JpEntry, Role, User
from tests.certificates.test_certificates import complete
from tests.conftest import form_token, login
from tests.factories import UnitFactory, World
from tests.staff.helpers import build_tree


def _admin_post(client: TestClient, user: User, what: str, **data: str) -> Any:
    token = form_token(client, f"/admin/users/{user.id}")
    return client.post(
        f"/admin/users/{user.id}/{what}", data={"csrf_token": token, **data}, follow_redirects=False
    )


def _as(client: TestClient, user: User) -> None:
    client.cookies.clear()
    login(client, user.nip or user.email or "")


@pytest.mark.usefixtures("courses_imported")
def test_a_transfer_takes_her_record_along_and_access_follows_her(
    client: TestClient, session: Session, world: World
) -> None:
    learner = world.learner
    complete(session, learner)
    cert = session.scalars(select(Certificate).where(Certificate.user_id == learner.id)).one()
    jp_before = session.scalar(select(func.sum(JpEntry.jp)).where(JpEntry.user_id == learner.id))
    target_unit = UnitFactory(instansi=world.other_instansi, code="DISDIK", name="Dinas Pendidikan")
    session.commit()

    _as(client, world.hr)
    assert client.get(f"/certificates/{cert.id}/pdf").status_code == 200
    assert client.get(f"/hr/people/{learner.id}").status_code == 200
    _as(client, world.hr_other)
    assert client.get(f"/certificates/{cert.id}/pdf").status_code == 404
    assert client.get(f"/hr/people/{learner.id}").status_code == 404

    _as(client, world.admin)
    moved = _admin_post(
        client,
        learner,
        "transfer",
        instansi=str(world.other_instansi.id),
        unit=str(target_unit.id),
    )
    assert moved.status_code == 303, moved.text
    session.expire_all()
    assert (learner.instansi_id, learner.unit_id) == (world.other_instansi.id, target_unit.id)
    # her ledger, enrolment and certificate stay hers
    assert (
        session.scalar(select(func.sum(JpEntry.jp)).where(JpEntry.user_id == learner.id))
        == jp_before
    )
    assert session.scalar(select(func.count()).where(Enrollment.user_id == learner.id)) == 1
    assert session.get(Certificate, cert.id).user_id == learner.id  # type: ignore[union-attr]
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.transfer"))
    assert event.actor_id == world.admin.id and event.object_id == str(learner.id)
    assert event.detail["from"] == {"instansi": "3206", "unit": "KEC.SGP"}
    assert event.detail["to"] == {"instansi": "3207", "unit": "DISDIK"}

    _as(client, world.hr)  # the old instansi's HR loses her
    assert client.get(f"/certificates/{cert.id}/pdf").status_code == 404
    assert client.get(f"/hr/people/{learner.id}").status_code == 404
    assert client.get(f"/api/v1/people/{learner.id}").status_code == 404
    listed = client.get("/api/v1/people", params={"include_inactive": "true", "per_page": 200})
    assert learner.id not in {p["id"] for p in listed.json()["people"]}
    _as(client, world.hr_other)  # the new one gains her, with her whole record
    assert client.get(f"/certificates/{cert.id}/pdf").content == cert.pdf
    page = client.get(f"/hr/people/{learner.id}")
    assert page.status_code == 200 and cert.number in page.text and "Dinas Pendidikan" in page.text
    body = client.get(f"/api/v1/people/{learner.id}").json()
    assert body["jp"] == jp_before and body["certificates"][0]["number"] == cert.number


def test_transferring_an_hr_officer_removes_her_old_hr_role_and_ends_her_sessions(
    client: TestClient, session: Session, world: World
) -> None:
    hr = world.hr
    _as(client, hr)
    assert client.get("/hr/people").status_code == 200
    hr_cookies = dict(client.cookies)
    _as(client, world.admin)
    assert (
        _admin_post(client, hr, "transfer", instansi=str(world.other_instansi.id)).status_code
        == 303
    )
    session.expire_all()
    assert hr.instansi_id == world.other_instansi.id and hr.unit_id is None
    assert hr.role_names == {"learner"}
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "person.transfer"))
    assert event.detail["removed"] == ["hr"]
    client.cookies.clear()
    client.cookies.update(hr_cookies)
    gone = client.get("/hr/people", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")


def test_a_transfer_needs_another_instansi_and_one_of_its_units(
    client: TestClient, session: Session, world: World
) -> None:
    _as(client, world.admin)
    same = _admin_post(client, world.learner, "transfer", instansi=str(world.instansi.id))
    assert same.status_code == 422 and "sudah berada di instansi itu" in same.text
    wrong_unit = _admin_post(
        client,
        world.learner,
        "transfer",
        instansi=str(world.other_instansi.id),
        unit=str(world.unit.id),
    )
    assert wrong_unit.status_code == 422 and "harus unit dari" in wrong_unit.text
    assert _admin_post(client, world.learner, "transfer").status_code == 422
    session.expire_all()
    assert world.learner.instansi_id == world.instansi.id
    _as(client, world.hr)  # HR may not transfer (admin pages)
    token = form_token(client, "/hr/people")
    refused = client.post(
        f"/admin/users/{world.learner.id}/transfer",
        data={"csrf_token": token, "instansi": str(world.other_instansi.id)},
        follow_redirects=False,
    )
    assert refused.status_code == 403


def test_admin_narrows_an_hr_role_to_a_unit_subtree(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    _as(client, world.admin)
    page = client.get(f"/admin/users/{world.hr.id}")
    assert "Lingkup peran BKPSDM" in page.text and "Dinas Kesehatan (DINKES)" in page.text
    other_unit = UnitFactory(instansi=world.other_instansi, code="LAIN", name="Unit lain")
    session.commit()
    refused = _admin_post(client, world.hr, "hr-unit", unit=str(other_unit.id))
    assert refused.status_code == 422 and "instansi peran BKPSDM" in refused.text
    assert _admin_post(client, world.hr, "hr-unit", unit=str(tree.yankes.id)).status_code == 303
    session.expire_all()
    role = next(r for r in world.hr.roles if r.role == Role.hr)
    assert role.unit_id == tree.yankes.id
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.hr_unit"))
    assert event.detail == {"from": None, "to": "DINKES.YANKES"}

    _as(client, world.hr)
    names = {
        p["name"].split()[0]
        for p in client.get("/api/v1/people", params={"include_inactive": "true"}).json()["people"]
    }
    assert names == {"Budi", "Citra", "Eko", "Fajar"}
    assert client.get(f"/hr/people/{tree.ani.id}").status_code == 404

    _as(client, world.admin)
    assert _admin_post(client, world.hr, "hr-unit", unit="").status_code == 303
    session.expire_all()
    assert next(r for r in world.hr.roles if r.role == Role.hr).unit_id is None
