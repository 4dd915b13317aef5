"""Nobody gets people outside their scope: HR of another instansi, a unit-scoped HR officer
naming a unit outside her subtree, a learner, an anonymous caller."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import Role, UserRole
from tests.conftest import login
from tests.factories import UserFactory, World
from tests.reports.known import Known, build
from tests.reports.test_jp import bearer

API = ("/api/v1/reports/jp", "/api/v1/reports/completions", "/api/v1/reports/siasn")
PAGES = (
    "/hr/reports/jp",
    "/hr/reports/completion",
    "/hr/reports/siasn",
    "/hr/reports/jp/download?format=csv",
    "/hr/reports/jp/download?format=pdf",
    "/hr/reports/completion/download?format=xlsx",
    "/hr/reports/siasn/download?format=csv",
)


@pytest.fixture
def known(session: Session, world: World) -> Known:
    return build(session, world)


def test_hr_of_another_instansi_sees_none_of_these_people(client: TestClient, known: Known) -> None:
    headers = bearer(client, known.world.hr_other)
    body = client.get("/api/v1/reports/jp", headers=headers).json()
    assert {r["name"] for r in body["rows"]} == {"Pegawai Lain", "Dewi Lestari"}
    assert client.get("/api/v1/reports/completions", headers=headers).json()["rows"][0]["name"] == (
        "Pegawai Lain"
    )
    siasn = client.get("/api/v1/reports/siasn", headers=headers).text
    assert known.people["a1"].nip not in siasn and "EXT-001" not in siasn
    for path in API:
        # naming the other instansi or one of its units is refused, not answered empty
        assert client.get(f"{path}?instansi=3206", headers=headers).status_code == 403, path
        assert client.get(f"{path}?unit=DINKES", headers=headers).status_code == 404, path


def test_unit_scoped_hr_sees_her_subtree_only(
    client: TestClient, session: Session, known: Known
) -> None:
    officer = UserFactory(
        instansi_id=known.world.instansi.id, unit_id=known.p2p.id, roles=("learner",)
    )
    officer.roles.append(
        UserRole(role=Role.hr, instansi_id=known.world.instansi.id, unit_id=known.p2p.id)
    )
    session.commit()
    headers = bearer(client, officer)
    body = client.get("/api/v1/reports/jp", headers=headers).json()
    assert {r["name"] for r in body["rows"]} == {
        "Pegawai A2", "Pegawai A3", "Pegawai A4", officer.name,
    }  # fmt: skip
    assert body["summary"]["people"] == 4
    outside = client.get("/api/v1/reports/jp?unit=DISDIK", headers=headers)
    assert outside.status_code == 403
    assert "di luar cakupan" in outside.json()["detail"]
    inside = client.get("/api/v1/reports/jp?unit=DINKES.P2P.SURV", headers=headers)
    assert inside.json()["summary"]["people"] == 2
    login(client, officer.nip or "")
    assert client.get("/hr/reports/jp?unit=DISDIK").status_code == 403


def test_learner_and_anonymous_get_nothing(client: TestClient, known: Known) -> None:
    headers = bearer(client, known.world.learner)
    for path in API:
        assert client.get(path, headers=headers).status_code == 403, path
        assert client.get(path).status_code == 401, path
    for path in PAGES:
        assert client.get(path, follow_redirects=False).status_code in (303, 401), path
    login(client, known.world.learner.nip or "")
    for path in PAGES:
        assert client.get(path, follow_redirects=False).status_code == 403, path


def test_bad_filters_are_422_not_empty_reports(client: TestClient, known: Known) -> None:
    headers = bearer(client, known.world.hr)
    for query in ("jenis_asn=XYZ", "golongan=V/z", "jenis_jabatan=raja", "year=1900", "unit=%00"):
        response = client.get(f"/api/v1/reports/jp?{query}", headers=headers)
        assert response.status_code == 422, (query, response.status_code)
