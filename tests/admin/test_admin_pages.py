from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import clock
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
    assert "Mengubah peran" in audit.text and "Rina Marlina, S.E." in audit.text


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


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [r for r in body.split("<tr>")[1:]]


def test_audit_page_shows_names_and_readable_actions_and_filters(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    client.cookies.clear()
    login(client, world.admin.email or "")
    token = form_token(client, f"/admin/users/{world.learner2.id}")
    client.post(
        f"/admin/users/{world.learner2.id}/roles",
        data={"csrf_token": token, "roles": ["learner", "trainer"]},
    )
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "Mengubah peran" in page.text and "Euis Suryani" in page.text
    assert "Melihat data pribadi pegawai" in page.text, "the admin opened Euis's details"
    assert "user.roles" not in page.text.split("<tbody>")[1] and "user 4" not in page.text

    by_actor = client.get("/admin/audit", params={"actor": "rina"})
    rows = _rows(by_actor.text)
    assert rows and all("Rina Marlina, S.E." in r and "Masuk" in r for r in rows)
    by_action = _rows(client.get("/admin/audit", params={"action": "user.roles"}).text)
    assert len(by_action) == 1 and "Euis Suryani" in by_action[0]
    today = clock.local_today()
    same_day = client.get(
        "/admin/audit", params={"since": today.isoformat(), "until": today.isoformat()}
    )
    assert "Mengubah peran" in same_day.text
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert "Tidak ada catatan" in client.get("/admin/audit", params={"since": tomorrow}).text
    assert client.get("/admin/audit", params={"page": "99999999999999999999"}).status_code in (
        200,
        422,
    )


def test_audit_export_is_formula_safe_and_audited_itself(
    client: TestClient, session: Session, world: World
) -> None:
    world.learner.name = '=HYPERLINK("http://contoh.test","klik")'
    session.commit()
    login(client, world.learner.nip or "")
    client.cookies.clear()
    login(client, world.admin.email or "")
    response = client.get("/admin/audit.csv", params={"actor": "hyperlink"})
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ";=HYPERLINK" not in text
    assert "Masuk" in text
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert event.actor_id == world.admin.id and event.detail["filter"]["actor"] == "hyperlink"
    assert client.get("/admin/audit.csv").status_code == 200
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert client.get("/admin/audit.csv").status_code == 403


def test_the_user_page_title_is_the_name_alone(client: TestClient, world: World) -> None:
    login(client, world.admin.email or "")
    page = client.get(f"/admin/users/{world.hr.id}")
    title = page.text.split("<title>", 1)[1].split("</title>", 1)[0]
    assert world.hr.name in title and "<form" not in title and "<section" not in title
    assert page.text.count(f'action="/admin/users/{world.hr.id}/hr-unit"') == 1
