from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Unit, User
from tests.conftest import csrf_from, form_token, login
from tests.factories import World


def test_admin_creates_a_user_with_a_temporary_password(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, "/admin/users/new")
    page = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "name": "Ujang Suryana, S.T.",
            "nip": "1975 1231 2000 12 1 001",
            "jenis_asn": "PNS",
            "instansi": "3206",
            "roles": ["learner", "trainer"],
        },
    )
    assert page.status_code == 200, page.text
    assert "Kata sandi sementara" in page.text
    user = session.scalars(select(User).where(User.nip == "197512312000121001")).one()
    assert user.role_names == {"learner", "trainer"}
    assert user.must_change_password


def test_admin_user_form_reports_an_invalid_nip(client: TestClient, world: World) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, "/admin/users/new")
    page = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "name": "Salah",
            "nip": "197512312000123001",
            "roles": ["learner"],
        },
    )
    assert page.status_code == 422
    assert "kode jenis kelamin harus 1 atau 2" in page.text
    assert 'value="Salah"' in page.text, "the form keeps what was typed"


def test_admin_changes_roles_and_it_is_audited(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, f"/admin/users/{world.learner.id}")
    response = client.post(
        f"/admin/users/{world.learner.id}/roles",
        data={"csrf_token": token, "roles": ["learner", "hr"]},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.refresh(world.learner)
    assert world.learner.role_names == {"learner", "hr"}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.roles")).one()
    assert event.actor_id == world.admin.id and event.detail["added"] == ["hr"]
    audit = client.get("/admin/audit", params={"action": "user.roles"})
    assert "user.roles" in audit.text and "Admin" in audit.text


def test_admin_cannot_remove_own_admin_role(client: TestClient, world: World) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, f"/admin/users/{world.admin.id}")
    response = client.post(
        f"/admin/users/{world.admin.id}/roles", data={"csrf_token": token, "roles": ["learner"]}
    )
    assert response.status_code == 422
    assert "peran admin Anda sendiri" in response.text


def test_admin_deactivates_and_resets_a_password(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, f"/admin/users/{world.learner2.id}")
    client.post(
        f"/admin/users/{world.learner2.id}/active", data={"csrf_token": token, "active": "0"}
    )
    session.refresh(world.learner2)
    assert world.learner2.is_active is False
    page = client.post(f"/admin/users/{world.learner2.id}/password", data={"csrf_token": token})
    temporary = page.text.split('<code class="token">')[1].split("<")[0]
    assert len(temporary) == 19  # 16 random characters in groups of 4


def test_admin_adds_a_unit_under_a_parent(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.admin.email or "")
    token = form_token(client, "/admin/units")
    response = client.post(
        "/admin/units",
        data={
            "csrf_token": token,
            "instansi": "3206",
            "code": "KEC.SGP.UMUM",
            "name": "Seksi Umum",
            "parent": "KEC.SGP",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    unit = session.scalars(select(Unit).where(Unit.code == "KEC.SGP.UMUM")).one()
    assert unit.parent_id == world.unit.id
    duplicate = client.post(
        "/admin/units",
        data={
            "csrf_token": token,
            "instansi": "3206",
            "code": "KEC.SGP.UMUM",
            "name": "Lagi",
            "parent": "",
        },
    )
    assert duplicate.status_code == 422 and "sudah ada" in duplicate.text


def test_unknown_user_id_is_404_for_the_admin(client: TestClient, world: World) -> None:
    login(client, world.admin.email or "")
    assert client.get("/admin/users/999999").status_code == 404


def test_hr_is_refused_on_admin_pages(client: TestClient, world: World) -> None:
    login(client, world.hr.nip or "")
    page = client.get(f"/admin/users/{world.learner.id}")
    assert page.status_code == 403
    assert "Akses ditolak" in page.text
    assert csrf_from(page.text)
