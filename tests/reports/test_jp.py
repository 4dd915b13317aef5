"""The 20-JP report through the API and the page: exactly the known rows and totals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.accounts.test_api_auth import token_for
from tests.conftest import login
from tests.factories import World
from tests.reports.known import YEAR, Known, build


@pytest.fixture
def known(session: Session, world: World) -> Known:
    return build(session, world)


def bearer(client: TestClient, user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(client, user.nip or user.email)}"}


def test_jp_report_gives_every_counted_person_with_cakap_and_external_jp(
    client: TestClient, known: Known
) -> None:
    body = client.get("/api/v1/reports/jp", headers=bearer(client, known.world.hr)).json()
    assert body["year"] == YEAR
    assert body["summary"] == {"people": 10, "met": 3, "percent_met": 30.0}
    rows = {r["name"]: r for r in body["rows"]}
    assert set(rows) == {
        "Pegawai A1", "Pegawai A2", "Pegawai A3", "Pegawai A4", "Pegawai A5", "Pegawai A8",
        "Rina Marlina, S.E.", "Euis Suryani", "Dr. Ade Setiadi, S.T., M.Si.", "Sri Mulyani, S.Sos.",
    }  # fmt: skip
    assert rows["Pegawai A1"] == {
        "nip": known.people["a1"].nip,
        "name": "Pegawai A1",
        "unit": "Dinas Kesehatan",
        "jp": 20,
        "jp_cakap": 12,
        "jp_external": 8,
        "met": True,
    }
    assert (rows["Pegawai A2"]["jp"], rows["Pegawai A2"]["met"]) == (6, False)
    assert (rows["Pegawai A3"]["jp_external"], rows["Pegawai A3"]["met"]) == (25, True)
    assert rows["Pegawai A4"]["jp"] == 0
    assert (rows["Pegawai A8"]["jp"], rows["Pegawai A8"]["met"]) == (4, False)


def test_jp_report_rolls_units_up_their_tree(client: TestClient, known: Known) -> None:
    body = client.get("/api/v1/reports/jp", headers=bearer(client, known.world.hr)).json()
    units = {
        u["code"]: (u["people"], u["met"], u["percent_met"], u["depth"]) for u in body["units"]
    }
    assert units["DINKES"] == (4, 2, 50.0, 0)
    assert units["DINKES.P2P"] == (3, 1, 33.3, 1)
    assert units["DINKES.P2P.SURV"] == (2, 1, 50.0, 2)
    assert units["DISDIK"] == (2, 1, 50.0, 0)
    assert units["KEC.SGP"] == (4, 0, 0.0, 0)


@pytest.mark.parametrize(
    ("query", "people", "met", "names"),
    [
        ("unit=DINKES.P2P", 3, 1, {"Pegawai A2", "Pegawai A3", "Pegawai A4"}),
        ("jenis_asn=PPPK", 1, 1, {"Pegawai A5"}),
        ("golongan=III/d", 2, 2, {"Pegawai A1", "Pegawai A3"}),
        ("jenis_jabatan=pelaksana&unit=DINKES", 2, 0, {"Pegawai A2", "Pegawai A4"}),
        (f"year={YEAR - 1}&unit=DINKES.P2P.SURV", 2, 1, {"Pegawai A3", "Pegawai A4"}),
    ],
)
def test_jp_report_filters(
    client: TestClient, known: Known, query: str, people: int, met: int, names: set[str]
) -> None:
    response = client.get(f"/api/v1/reports/jp?{query}", headers=bearer(client, known.world.hr))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["summary"]["people"], body["summary"]["met"]) == (people, met)
    assert {r["name"] for r in body["rows"]} == names


def test_admin_sees_every_instansi_and_may_narrow_to_one(client: TestClient, known: Known) -> None:
    headers = bearer(client, known.world.admin)
    body = client.get("/api/v1/reports/jp", headers=headers).json()
    # and the HR officer of 3207 (0 JP) and her colleague with 40
    assert body["summary"] == {"people": 12, "met": 4, "percent_met": 33.3}
    assert {u["instansi"] for u in body["units"] if u["depth"] == 0} == {"3206", "3207"}
    one = client.get("/api/v1/reports/jp?instansi=3207", headers=headers).json()
    assert {r["name"] for r in one["rows"]} == {"Pegawai Lain", "Dewi Lestari"}
    unit = client.get("/api/v1/reports/jp?unit=DISDIK", headers=headers).json()
    assert unit["summary"]["people"] == 2


def test_jp_page_shows_the_roll_up_the_chart_and_drills_down_to_people(
    client: TestClient, known: Known
) -> None:
    login(client, known.world.hr.nip or "")
    page = client.get("/hr/reports/jp")
    assert page.status_code == 200
    html = page.text
    assert "Rekap 20 JP tahun" in html and "<svg" in html and 'role="img"' in html
    assert "30,0%" in html  # the summary, decimal comma
    assert "33,3%" in html  # Bidang Pencegahan Penyakit's roll-up
    assert "unit=DINKES.P2P" in html  # a unit links to its drill-down
    assert "Pegawai A6" not in html and "Pegawai A7" not in html
    drill = client.get("/hr/reports/jp?unit=DINKES.P2P&status=unmet")
    assert drill.status_code == 200
    assert "Pegawai A2" in drill.text and "Pegawai A4" in drill.text
    assert "Pegawai A3" not in drill.text.split('id="pegawai"')[1]  # met: filtered out
    assert "Pegawai A1" not in drill.text


def test_jp_report_query_count_does_not_grow_with_people(
    client: TestClient, session: Session, known: Known, queries: Any
) -> None:
    from tests.factories import UserFactory

    login(client, known.world.hr.nip or "")
    headers = bearer(client, known.world.hr)

    def count(path: str, **kw: Any) -> int:
        before = queries.count
        assert client.get(path, **kw).status_code == 200
        return queries.count - before

    page, api = count("/hr/reports/jp"), count("/api/v1/reports/jp", headers=headers)
    for _ in range(15):
        UserFactory(instansi_id=known.world.instansi.id, unit_id=known.surv.id)
    session.commit()
    assert count("/hr/reports/jp") == page
    assert count("/api/v1/reports/jp", headers=headers) == api
