"""A person's page (`/hr/people/{id}`, `GET /api/v1/people/{id}`) and the edits made on it."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
from app.models import AuditEvent, User
from tests.conftest import form_token, login
from tests.factories import World
from tests.staff.helpers import build_tree


def _events(session: Session, action: str, person: User) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == str(person.id)
    )
    return list(session.scalars(stmt.order_by(AuditEvent.id)))


def _post(client: TestClient, person: User, what: str, **data: str) -> Any:
    token = form_token(client, f"/hr/people/{person.id}")
    return client.post(
        f"/hr/people/{person.id}/{what}",
        data={"csrf_token": token, **data},
        follow_redirects=False,
    )


def test_person_page_shows_employment_jp_ledger_and_is_audited(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    page = client.get(f"/hr/people/{tree.ani.id}")
    assert page.status_code == 200
    assert "no-store" in page.headers["cache-control"]
    for text in (
        "Ani Rahmawati",
        "Dinas Kesehatan (DINKES)",
        "Penata Tk. I, III/d",
        "Fungsional",
        "Perawat Ahli Muda",
        "<strong>24</strong> dari 20 JP",
        "target tercapai",
        "Cakap 12 JP",
        "di luar Cakap (terverifikasi) 12 JP",
        "Belum mengikuti kursus",
        "Ubah data kepegawaian",  # a learner of her scope: HR may manage her
    ):
        assert text in page.text, text
    (event,) = _events(session, "person.view", tree.ani)
    assert event.actor_id == world.hr.id and event.detail["holder"] == tree.ani.id
    assert event.instansi_id == world.instansi.id

    last_year = clock.local_today().year - 1
    old = client.get(f"/hr/people/{tree.budi.id}", params={"year": last_year})
    assert f"JP tahun {last_year}" in old.text and "<strong>30</strong> dari 20 JP" in old.text
    assert "<strong>8</strong> dari 20 JP" in client.get(f"/hr/people/{tree.budi.id}").text
    assert client.get(f"/hr/people/{tree.budi.id}", params={"year": "1"}).status_code == 422


def test_person_api_returns_the_record_and_is_audited(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    body = client.get(f"/api/v1/people/{tree.ani.id}").json()
    assert body["unit"] == {"code": "DINKES", "name": "Dinas Kesehatan"}
    assert (body["golongan"], body["pangkat"], body["jenis_jabatan"]) == (
        "III/d",
        "Penata Tk. I",
        "fungsional",
    )
    assert (body["jp"], body["jp_cakap"], body["jp_external"], body["jp_met"]) == (24, 12, 12, True)
    assert sorted(e["source"] for e in body["jp_ledger"]) == ["course", "external"]
    assert body["status"] == "active" and body["roles"] == ["learner"]
    assert body["enrolments"] == [] and body["certificates"] == []
    assert len(_events(session, "person.view", tree.ani)) == 1
    eko = client.get(f"/api/v1/people/{tree.eko.id}").json()
    assert eko["status"] == "retired" and eko["jp_met"] is True


def test_outsiders_get_nothing_of_a_person(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    paths = [f"/hr/people/{tree.ani.id}", f"/api/v1/people/{tree.ani.id}"]
    posts = ["employment", "unit", "active", "retired", "password"]
    for outsider in (world.hr_other, tree.hr_diskominfo):  # another instansi, a sibling subtree
        client.cookies.clear()
        login(client, outsider.nip or "")
        token = form_token(client, "/hr/people")
        for path in paths:
            assert client.get(path).status_code == 404, (outsider.name, path)
        for what in posts:
            response = client.post(
                f"/hr/people/{tree.ani.id}/{what}",
                data={"csrf_token": token, "active": "0", "jenis_asn": "PNS"},
                follow_redirects=False,
            )
            assert response.status_code == 404, (outsider.name, what)
    client.cookies.clear()
    login(client, world.learner.nip or "")
    token = form_token(client, "/")
    assert client.get(paths[0], follow_redirects=False).status_code == 403
    assert client.get(paths[1]).status_code == 403
    for what in posts:
        response = client.post(
            f"/hr/people/{tree.ani.id}/{what}",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 403, what
    client.cookies.clear()
    assert client.get(paths[1]).status_code == 401
    assert client.get(paths[0], follow_redirects=False).status_code == 303
    # the sibling-subtree HR does see her own people
    login(client, tree.hr_diskominfo.nip or "")
    assert client.get(f"/hr/people/{tree.dodi.id}").status_code == 200
    session.expire_all()
    assert tree.ani.is_active and tree.ani.jenis_asn == "PNS"
    assert _events(session, "person.view", tree.ani) == []


def test_hr_edits_employment_data_with_clear_errors_and_an_audit_trail(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    refused = _post(
        client, tree.budi, "employment", jenis_asn="PPPK", golongan="II/c", jenis_jabatan=""
    )
    assert refused.status_code == 422
    assert "Golongan &#39;II/c&#39; tidak berlaku untuk PPPK" in refused.text
    assert '<option value="PPPK" selected>' in refused.text  # what she typed is kept
    bad_kind = _post(client, tree.budi, "employment", jenis_asn="PNS", jenis_jabatan="raja")
    assert bad_kind.status_code == 422 and "Jenis jabatan harus salah satu dari" in bad_kind.text
    done = _post(
        client,
        tree.budi,
        "employment",
        jenis_asn="PNS",
        golongan="II/d",
        jenis_jabatan="fungsional",
        jabatan="  Pranata   Komputer Terampil ",
    )
    assert done.status_code == 303 and done.headers["location"] == f"/hr/people/{tree.budi.id}"
    session.expire_all()
    assert (tree.budi.golongan, tree.budi.jenis_jabatan, tree.budi.jabatan) == (
        "II/d",
        "fungsional",
        "Pranata Komputer Terampil",
    )
    (event,) = _events(session, "person.employment", tree.budi)
    assert event.actor_id == world.hr.id
    assert event.detail["from"] == {
        "golongan": "II/c",
        "jabatan": None,
        "jenis_jabatan": "pelaksana",
    }
    assert event.detail["to"]["golongan"] == "II/d"


def test_hr_moves_a_person_only_to_units_of_her_scope(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    other_unit = world.unit  # KEC.SGP, same instansi
    login(client, tree.hr_diskominfo.nip or "")
    refused = _post(client, tree.dodi, "unit", unit=str(other_unit.id))
    assert refused.status_code == 422 and "di luar lingkup Anda" in refused.text
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert _post(client, tree.dodi, "unit", unit=str(tree.yankes.id)).status_code == 303
    session.expire_all()
    assert tree.dodi.unit_id == tree.yankes.id
    (event,) = _events(session, "person.unit", tree.dodi)
    assert event.detail == {"from": "DISKOMINFO", "to": "DINKES.YANKES"}
    from tests.factories import UnitFactory

    elsewhere = UnitFactory(instansi=world.other_instansi, code="X", name="Unit lain")
    session.commit()
    refused = _post(client, tree.dodi, "unit", unit=str(elsewhere.id))
    assert refused.status_code == 422 and "instansi pegawai ini" in refused.text


def test_deactivate_retire_and_undo(client: TestClient, session: Session, world: World) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    assert _post(client, tree.ani, "active", active="0").status_code == 303
    session.expire_all()
    assert not tree.ani.is_active
    assert len(_events(session, "user.deactivate", tree.ani)) == 1
    assert _post(client, tree.ani, "active", active="1").status_code == 303
    session.expire_all()
    assert tree.ani.is_active

    bad = _post(client, tree.ani, "retired", retired_on="kemarin")
    assert bad.status_code == 422 and "Tanggal pensiun" in bad.text
    today = clock.local_today()
    assert _post(client, tree.ani, "retired", retired_on=today.isoformat()).status_code == 303
    session.expire_all()
    assert tree.ani.retired_on == today
    listed = client.get("/api/v1/people", params={"unit": "DINKES"}).json()
    assert tree.ani.id not in {p["id"] for p in listed["people"]}  # out of the 20-JP counts
    assert _post(client, tree.ani, "retired", undo="1").status_code == 303
    session.expire_all()
    assert tree.ani.retired_on is None
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_id == str(tree.ani.id), AuditEvent.action.like("person.%retire")
            )
            .order_by(AuditEvent.id)
        )
    ] == ["person.retire", "person.unretire"]


def test_hr_resets_a_learners_password_and_sees_the_code_once(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    response = _post(client, tree.ani, "password")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    code = re.search(r'<code class="token">([a-z0-9-]+)</code>', response.text)
    assert code, "the code is shown"
    assert code.group(1) not in client.get(f"/hr/people/{tree.ani.id}").text  # only once
    (event,) = _events(session, "user.reset_password", tree.ani)
    assert event.actor_id == world.hr.id
    client.cookies.clear()
    first = login(client, tree.ani.nip or "", code.group(1))
    assert first.status_code == 303  # logged in with the code, and sent to choose a password
    assert client.get("/", follow_redirects=False).headers["location"] == "/account/password"


def test_hr_cannot_edit_or_reset_a_trainer_but_an_admin_can(
    client: TestClient, session: Session, world: World
) -> None:
    trainer = world.trainer
    before = trainer.password_hash
    login(client, world.hr.nip or "")
    page = client.get(f"/hr/people/{trainer.id}")
    assert page.status_code == 200 and "Ubah data kepegawaian" not in page.text
    assert "perubahannya dilakukan oleh admin" in page.text
    for what, data in (
        ("password", {}),
        ("employment", {"jenis_asn": "PNS", "golongan": "IV/a"}),
        ("active", {"active": "0"}),
        ("retired", {"retired_on": clock.local_today().isoformat()}),
        ("unit", {"unit": str(world.unit.id)}),
    ):
        response = _post(client, trainer, what, **data)
        assert response.status_code == 403, what
        assert "hanya dapat diubah oleh admin" in response.text
    assert _post(client, world.hr, "password").status_code == 403  # nor her own account
    session.expire_all()
    assert trainer.password_hash == before and trainer.is_active and trainer.golongan is None
    assert _events(session, "user.reset_password", trainer) == []

    client.cookies.clear()
    login(client, world.admin.email or "")
    assert _post(client, trainer, "employment", jenis_asn="PNS", golongan="IV/a").status_code == 303
    assert _post(client, trainer, "password").status_code == 200
    session.expire_all()
    assert trainer.golongan == "IV/a" and trainer.must_change_password
