"""The staff directory list: `/hr/people` and `GET /api/v1/people`."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core import clock
from tests.conftest import QueryCounter, login
from tests.factories import UserFactory, World
from tests.staff.helpers import build_tree, jp


def _api(client: TestClient, **params: Any) -> Any:
    response = client.get("/api/v1/people", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _names(body: Any) -> set[str]:
    return {p["name"].split(",")[0].split()[0] for p in body["people"]}


def test_unit_filter_gives_the_unit_and_all_its_sub_units_exactly(
    client: TestClient, session: Session, world: World
) -> None:
    build_tree(session, world)
    login(client, world.hr.nip or "")
    assert _names(_api(client, unit="DINKES")) == {"Ani", "Budi", "Citra"}
    assert _names(_api(client, unit="DINKES.YANKES")) == {"Budi", "Citra"}
    assert _names(_api(client, unit="DINKES.YANKES.1")) == {"Citra"}
    assert _names(_api(client, unit="DISKOMINFO")) == {"Dodi", "Hana"}  # Hana: its HR officer
    # retired and deactivated people stay findable, with their status
    everyone = _api(client, unit="DINKES", include_inactive="true")
    assert _names(everyone) == {"Ani", "Budi", "Citra", "Eko", "Fajar"}
    status = {
        p["name"].split()[0]: (p["status"], p["retired"], p["active"]) for p in everyone["people"]
    }
    assert status["Eko"] == ("retired", True, True)
    assert status["Fajar"] == ("inactive", False, False)
    assert status["Ani"] == ("active", False, True)


def test_jp_of_this_year_and_the_20_jp_status(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    body = _api(client, unit="DINKES")
    assert body["year"] == clock.local_today().year
    by_name = {p["name"].split()[0]: p for p in body["people"]}
    assert (by_name["Ani"]["jp"], by_name["Ani"]["jp_met"]) == (24, True)  # Cakap + external
    assert (by_name["Budi"]["jp"], by_name["Budi"]["jp_met"]) == (8, False)  # not last year's 30
    assert (by_name["Citra"]["jp"], by_name["Citra"]["jp_met"]) == (20, True)  # exactly 20
    assert by_name["Ani"]["unit"] == {"code": "DINKES", "name": "Dinas Kesehatan"}
    assert (by_name["Citra"]["jenis_asn"], by_name["Citra"]["golongan"]) == ("PPPK", "IX")
    assert _names(_api(client, unit="DINKES", jp="met")) == {"Ani", "Citra"}
    assert _names(_api(client, unit="DINKES", jp="not_met")) == {"Budi"}
    # the retired one has 30 JP but leaves the counts unless asked for
    met = _api(client, unit="DINKES", jp="met", include_inactive="true")
    assert _names(met) == {"Ani", "Citra", "Eko"}
    assert tree.eko.id in {p["id"] for p in met["people"]}


def test_filters_by_jenis_asn_golongan_jenis_jabatan_name_and_nip(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    assert _names(_api(client, jenis_asn="PPPK")) == {"Citra"}
    assert _names(_api(client, jenis_asn="CPNS")) == {"Dodi"}
    assert _names(_api(client, golongan="iii/d")) == {"Ani"}
    assert _names(_api(client, jenis_jabatan="pelaksana", unit="DINKES")) == {"Budi"}
    assert _names(_api(client, jenis_jabatan="fungsional", jenis_asn="PNS")) == {"Ani"}
    assert _names(_api(client, q="rahmawati")) == {"Ani"}
    nip = tree.budi.nip or ""
    typed = f"{nip[:8]} {nip[8:14]}.{nip[14]}.{nip[15:]}"  # as people type it
    assert _names(_api(client, q=typed)) == {"Budi"}
    assert _names(_api(client, q=nip[:10], unit="DINKES.YANKES")) >= {"Budi"}
    assert _api(client, q="%")["total"] == 0  # a LIKE wildcard is a character, not a pattern


def test_unknown_filter_values_are_refused_with_a_reason(
    client: TestClient, session: Session, world: World
) -> None:
    build_tree(session, world)
    login(client, world.hr.nip or "")
    for params in (
        {"unit": "TIDAK.ADA"},
        {"jenis_asn": "HONORER"},
        {"golongan": "V/z"},
        {"jenis_jabatan": "menteri"},
        {"jp": "maybe"},
        {"page": "0"},
        {"page": "99999999999"},
        {"per_page": "1000"},
    ):
        response = client.get("/api/v1/people", params=params)
        assert response.status_code == 422, params
    page = client.get("/hr/people", params={"unit": "TIDAK.ADA"})
    assert page.status_code == 422 and "TIDAK.ADA tidak ditemukan" in page.text


def test_pages_are_bounded_and_cover_everyone_once(
    client: TestClient, session: Session, world: World
) -> None:
    build_tree(session, world)
    login(client, world.hr.nip or "")
    whole = _api(client, include_inactive="true", per_page=200)
    seen: list[int] = []
    for page in range(1, 5):
        body = _api(client, include_inactive="true", per_page=3, page=page)
        assert body["total"] == whole["total"] and body["pages"] == -(-whole["total"] // 3)
        assert len(body["people"]) <= 3
        seen.extend(p["id"] for p in body["people"])
    assert seen == [p["id"] for p in whole["people"]][: len(seen)]
    assert len(seen) == len(set(seen)) == min(12, whole["total"])
    past = _api(client, per_page=3, page=500)
    assert past["people"] == [] and past["total"] > 0


def test_hr_sees_only_her_scope_and_others_get_nothing(
    client: TestClient, session: Session, world: World
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr_other.nip or "")  # HR of another instansi
    other = _api(client, include_inactive="true", per_page=200)
    ours = {tree.ani.id, tree.budi.id, tree.citra.id, tree.dodi.id, world.learner.id}
    assert not ours & {p["id"] for p in other["people"]}
    assert _api(client, q="Ani")["total"] == 0
    client.cookies.clear()

    login(client, tree.hr_diskominfo.nip or "")  # HR narrowed to a sibling subtree
    assert _names(_api(client, include_inactive="true", per_page=200)) == {"Dodi", "Hana"}
    assert _api(client, unit="DINKES")["total"] == 0
    page = client.get("/hr/people")
    assert "Dodi Pratama" in page.text and "Ani Rahmawati" not in page.text
    client.cookies.clear()

    login(client, world.learner.nip or "")
    assert client.get("/api/v1/people").status_code == 403
    assert client.get("/hr/people", follow_redirects=False).status_code == 403
    client.cookies.clear()
    assert client.get("/api/v1/people").status_code == 401
    anonymous = client.get("/hr/people", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_admin_sees_every_instansi(client: TestClient, session: Session, world: World) -> None:
    build_tree(session, world)
    login(client, world.admin.email or "")
    ids = {p["id"] for p in _api(client, per_page=200)["people"]}
    assert {world.hr_other.id, world.learner.id} <= ids
    assert world.admin.id not in ids  # an operator's account (e-mail only, no learner role)


def test_the_list_page_shows_people_with_their_jp_and_badges(
    client: TestClient, session: Session, world: World
) -> None:
    build_tree(session, world)
    login(client, world.hr.nip or "")
    page = client.get("/hr/people", params={"unit": "DINKES", "include_inactive": "1"})
    assert page.status_code == 200
    for text in ("Ani Rahmawati", "Seksi Rujukan", "Pensiun", "Nonaktif", "5 pegawai"):
        assert text in page.text, text
    assert 'href="/hr/people"' in page.text and "aria-current" in page.text  # the nav entry
    met = client.get("/hr/people", params={"unit": "DINKES", "jp": "not_met"})
    assert "Budi Santoso" in met.text and "Ani Rahmawati" not in met.text


def test_the_list_costs_the_same_queries_for_many_people(
    client: TestClient, session: Session, world: World, queries: QueryCounter
) -> None:
    tree = build_tree(session, world)
    login(client, world.hr.nip or "")
    _api(client, unit="DINKES")  # warm caches
    queries.count = 0
    small = _api(client, include_inactive="true", per_page=50)
    few = queries.count
    for n in range(30):
        person = UserFactory(instansi_id=world.instansi.id, unit_id=tree.yankes.id)
        jp(session, person, n)
    session.commit()
    queries.count = 0
    large = _api(client, include_inactive="true", per_page=50)
    assert large["total"] == small["total"] + 30
    assert queries.count == few, queries.statements
    queries.count = 0
    assert client.get("/hr/people", params={"include_inactive": "1"}).status_code == 200
    assert queries.count <= few + 4, queries.statements
