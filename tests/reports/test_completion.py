"""The completion report: course × unit with roll-up, and the rows behind each cell."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.courses import runs
from tests.conftest import login
from tests.factories import World
from tests.reports.known import YEAR, Known, build
from tests.reports.test_jp import bearer


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def _cells(row: str) -> list[str]:
    return [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


@pytest.fixture
def known(session: Session, world: World) -> Known:
    return build(session, world)


def test_completion_rows_are_the_enrolments_in_scope(client: TestClient, known: Known) -> None:
    body = client.get("/api/v1/reports/completions", headers=bearer(client, known.world.hr)).json()
    rows = sorted(body["rows"], key=lambda r: (r["course"], r["name"]))
    assert [(r["course"], r["name"], r["status"]) for r in rows] == [
        ("data-uji", "Pegawai A3", "in_progress"),
        ("literasi-uji", "Pegawai A1", "completed"),
        ("literasi-uji", "Pegawai A2", "in_progress"),
        ("literasi-uji", "Pegawai A5", "completed"),
    ]
    a1 = rows[1]
    assert a1 == {
        "nip": known.people["a1"].nip,
        "name": "Pegawai A1",
        "unit": "Dinas Kesehatan",
        "course": "literasi-uji",
        "status": "completed",
        "completed_at": a1["completed_at"],
        "jp": 8,
        "due_on": None,
        "overdue": False,
    }
    assert a1["completed_at"].startswith(f"{YEAR}-02-20T18:30")
    assert rows[2]["completed_at"] is None


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("course=literasi-uji&unit=DINKES", {"Pegawai A1", "Pegawai A2"}),
        ("course=data-uji", {"Pegawai A3"}),
        ("unit=DISDIK", {"Pegawai A5"}),
        (f"year={YEAR}", {"Pegawai A1", "Pegawai A2", "Pegawai A3", "Pegawai A5"}),
        (f"year={YEAR - 1}", set()),
    ],
)
def test_completion_filters(client: TestClient, known: Known, query: str, names: set[str]) -> None:
    response = client.get(
        f"/api/v1/reports/completions?{query}", headers=bearer(client, known.world.hr)
    )
    assert response.status_code == 200, response.text
    assert {r["name"] for r in response.json()["rows"]} == names


def test_unknown_course_is_404(client: TestClient, known: Known) -> None:
    response = client.get(
        "/api/v1/reports/completions?course=tidak-ada", headers=bearer(client, known.world.hr)
    )
    assert response.status_code == 404


def test_completion_page_shows_the_matrix_rolled_up_and_the_rows_behind_a_cell(
    client: TestClient, known: Known
) -> None:
    login(client, known.world.hr.nip or "")
    page = client.get("/hr/reports/completion")
    assert page.status_code == 200
    html = page.text
    literasi = html.split('id="c-literasi-uji"')[1].split("</section>")[0]
    cells = [
        row.split("</tr>")[0]
        for row in literasi.split("<tr>")[2:]  # after the header row
    ]
    figures = {_text(c.split("</th>")[0].split("<span")[0]): _cells(c) for c in cells}
    # assigned and overdue are not known before assignments exist (issue 12): "—"
    assert figures["Dinas Kesehatan"] == ["—", "2", "1", "1", "—"]
    assert figures["Bidang Pencegahan Penyakit"] == ["—", "1", "1", "0", "—"]
    assert figures["Dinas Pendidikan"] == ["—", "1", "0", "1", "—"]
    assert "Kecamatan Singaparna" not in figures  # nobody enrolled there
    dinkes = next(c for c in cells if "Dinas Kesehatan" in c)
    assert "status=in_progress" in dinkes and "status=completed" in dinkes
    assert "penugasan" in html  # the honest note about assigned / overdue
    cell = client.get("/hr/reports/completion?course=literasi-uji&unit=DINKES&status=completed")
    rincian = cell.text.split('id="rincian"')[1]
    assert "Pegawai A1" in rincian and "Pegawai A2" not in rincian


def test_completion_and_siasn_query_counts_do_not_grow_with_people(
    client: TestClient, session: Session, known: Known, queries: Any
) -> None:
    from app.models import Enrollment
    from tests.factories import UserFactory

    login(client, known.world.hr.nip or "")
    paths = (
        "/hr/reports/completion",
        "/hr/reports/completion?course=literasi-uji",
        "/hr/reports/siasn",
        "/api/v1/reports/completions?format=csv",
    )
    headers = bearer(client, known.world.hr)

    def counts() -> list[int]:
        out = []
        for path in paths:
            before = queries.count
            assert client.get(path, headers=headers).status_code == 200, path
            out.append(queries.count - before)
        return out

    first = counts()
    for _ in range(12):
        user = UserFactory(instansi_id=known.world.instansi.id, unit_id=known.disdik.id)
        session.add(
            Enrollment(
                user_id=user.id,
                course_id=known.course_a.id,
                version_id=known.course_a.current_version_id,
                run_id=runs.open_run(session, course_id=known.course_a.id).id,
            )
        )
    session.commit()
    assert counts() == first
