"""The completion report with assignments: assigned, not started and overdue people.

On top of tests/reports/known.py (read its table first):

    literasi-uji assigned to DINKES (and so its sub-units), begun 20 days ago, due yesterday:
        a1 DINKES          completed            assigned, not overdue
        a2 DINKES.P2P      in progress          assigned, overdue
        a3 DINKES.P2P.SURV not enrolled         assigned, not started, overdue
        a4 DINKES.P2P.SURV not enrolled         assigned, not started, overdue
        a5 DISDIK          completed            not assigned
    data-uji assigned to a5 by name, due in 10 days:
        a5 DISDIK          not enrolled         assigned, not started, not overdue
        a3 DINKES.P2P.SURV in progress          not assigned (self-chosen)
    data-uji assigned to a8 starting next week: not counted yet.
    data-uji assigned to x1 (another instansi): never seen by this HR.
    a withdrawn literasi-uji assignment of DISDIK: nobody.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core import clock
from app.models import Assignment, AssignmentPerson, AssignmentUnit, Course, Instansi, User
from tests.conftest import login
from tests.factories import World
from tests.reports.known import YEAR, Known, build
from tests.reports.test_jp import bearer


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _assign(
    session: Session,
    *,
    instansi: Instansi,
    course: Course,
    by: User,
    start_on: date,
    due_on: date,
    units: tuple[int, ...] = (),
    people: tuple[int, ...] = (),
    status: str = "active",
) -> Assignment:
    assignment = Assignment(
        instansi_id=instansi.id,
        course_id=course.id,
        created_by_id=by.id,
        start_on=start_on,
        due_on=due_on,
        status=status,
        all_units=False,
    )
    assignment.unit_targets = [AssignmentUnit(unit_id=u) for u in units]
    assignment.person_targets = [AssignmentPerson(user_id=p) for p in people]
    session.add(assignment)
    session.flush()
    return assignment


@pytest.fixture
def known(session: Session, world: World) -> Known:
    known = build(session, world)
    today = clock.local_today()
    p = known.people
    hr = world.hr
    _assign(
        session,
        instansi=world.instansi,
        course=known.course_a,
        by=hr,
        start_on=today - timedelta(days=20),
        due_on=today - timedelta(days=1),
        units=(known.dinkes.id,),
    )
    _assign(
        session,
        instansi=world.instansi,
        course=known.course_b,
        by=hr,
        start_on=today,
        due_on=today + timedelta(days=10),
        people=(p["a5"].id,),
    )
    _assign(
        session,
        instansi=world.instansi,
        course=known.course_b,
        by=hr,
        start_on=today + timedelta(days=7),
        due_on=today + timedelta(days=30),
        people=(p["a8"].id,),
    )
    _assign(
        session,
        instansi=world.instansi,
        course=known.course_a,
        by=hr,
        start_on=today - timedelta(days=20),
        due_on=today - timedelta(days=1),
        units=(known.disdik.id,),
        status="withdrawn",
    )
    _assign(
        session,
        instansi=world.other_instansi,
        course=known.course_b,
        by=hr,
        start_on=today,
        due_on=today + timedelta(days=10),
        people=(p["x1"].id,),
    )
    session.commit()
    return known


def _rows(client: TestClient, known: Known, query: str = "") -> list[tuple[object, ...]]:
    response = client.get(
        f"/api/v1/reports/completions?{query}", headers=bearer(client, known.world.hr)
    )
    assert response.status_code == 200, response.text
    return sorted(
        (r["course"], r["name"], r["status"], r["due_on"], r["overdue"])
        for r in response.json()["rows"]
    )


def test_completion_rows_hold_the_assigned_people_with_deadline_and_overdue(
    client: TestClient, known: Known
) -> None:
    today = clock.local_today()
    yesterday = (today - timedelta(days=1)).isoformat()
    in_ten = (today + timedelta(days=10)).isoformat()
    assert _rows(client, known) == [
        ("data-uji", "Pegawai A3", "in_progress", None, False),
        ("data-uji", "Pegawai A5", "not_started", in_ten, False),
        ("literasi-uji", "Pegawai A1", "completed", yesterday, False),
        ("literasi-uji", "Pegawai A2", "in_progress", yesterday, True),
        ("literasi-uji", "Pegawai A3", "not_started", yesterday, True),
        ("literasi-uji", "Pegawai A4", "not_started", yesterday, True),
        ("literasi-uji", "Pegawai A5", "completed", None, False),
    ]


def test_a_not_started_row_carries_the_course_jp_and_no_completion(
    client: TestClient, known: Known
) -> None:
    body = client.get(
        "/api/v1/reports/completions?course=data-uji", headers=bearer(client, known.world.hr)
    ).json()
    a5 = next(r for r in body["rows"] if r["name"] == "Pegawai A5")
    assert a5["nip"] == known.people["a5"].nip
    assert a5["unit"] == "Dinas Pendidikan"
    assert a5["jp"] == 6 and a5["completed_at"] is None


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("course=literasi-uji&unit=DINKES.P2P", {"Pegawai A2", "Pegawai A3", "Pegawai A4"}),
        ("course=data-uji&unit=DISDIK", {"Pegawai A5"}),
        (f"year={YEAR}&course=literasi-uji&unit=DINKES", {f"Pegawai A{i}" for i in (1, 2, 3, 4)}),
        # an assignment begun this year leaves no one "not started" in an earlier year
        (f"year={YEAR - 3}", set()),
    ],
)
def test_completion_filters_apply_to_the_assigned_people_too(
    client: TestClient, known: Known, query: str, names: set[str]
) -> None:
    assert {r[1] for r in _rows(client, known, query)} == names


def _matrix(html: str, slug: str) -> dict[str, list[str]]:
    block = html.split(f'id="c-{slug}"')[1].split("</section>")[0]
    rows = [row.split("</tr>")[0] for row in block.split("<tr>")[2:]]
    return {
        _text(r.split("</th>")[0].split("<span")[0]): [
            _text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    }


def test_completion_matrix_counts_assigned_completed_and_overdue_per_unit(
    client: TestClient, known: Known
) -> None:
    login(client, known.world.hr.nip or "")
    html = client.get("/hr/reports/completion").text
    # assigned, enrolled, in progress, completed, overdue; every unit includes its sub-units
    assert _matrix(html, "literasi-uji") == {
        "Dinas Kesehatan": ["4", "2", "1", "1", "3"],
        "Bidang Pencegahan Penyakit": ["3", "1", "1", "0", "3"],
        "Seksi Surveilans": ["2", "0", "0", "0", "2"],
        "Dinas Pendidikan": ["0", "1", "0", "1", "0"],
    }
    assert _matrix(html, "data-uji") == {
        "Dinas Kesehatan": ["0", "1", "1", "0", "0"],
        "Bidang Pencegahan Penyakit": ["0", "1", "1", "0", "0"],
        "Seksi Surveilans": ["0", "1", "1", "0", "0"],
        "Dinas Pendidikan": ["1", "0", "0", "0", "0"],
    }
    assert "Pegawai Lain" not in html


def test_overdue_cell_lists_the_people_behind_it(client: TestClient, known: Known) -> None:
    login(client, known.world.hr.nip or "")
    page = client.get("/hr/reports/completion?course=literasi-uji&unit=DINKES&status=overdue")
    assert page.status_code == 200
    rincian = _text(page.text.split('id="rincian"')[1])
    for name in ("Pegawai A2", "Pegawai A3", "Pegawai A4"):
        assert name in rincian
    assert "Pegawai A1" not in rincian and "Pegawai A5" not in rincian
    assert rincian.count("Terlambat") >= 3
    waiting = client.get("/hr/reports/completion?course=literasi-uji&status=not_started")
    rincian = _text(waiting.text.split('id="rincian"')[1])
    assert "Pegawai A3" in rincian and "Pegawai A4" in rincian and "Pegawai A2" not in rincian


def test_completion_csv_has_deadline_and_overdue(client: TestClient, known: Known) -> None:
    response = client.get(
        "/api/v1/reports/completions?format=csv&course=literasi-uji",
        headers=bearer(client, known.world.hr),
    )
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[-2:] == ["tenggat", "terlambat"]
    a4 = next(line for line in lines if "Pegawai A4" in line)
    yesterday = (clock.local_today() - timedelta(days=1)).isoformat()
    assert a4.endswith(f";not_started;;8;{yesterday};ya")


def test_overdue_follows_the_instansi_time_zone(
    client: TestClient, session: Session, known: Known
) -> None:
    """At 23:30 WIB it is already 01:30 the next day in WIT: a deadline of "today in WIB"
    has passed for an instansi in Papua and not for one in Java."""
    late_evening = datetime(YEAR, 6, 10, 16, 30, tzinfo=UTC)  # 23:30 WIB, 01:30 WIT on the 11th
    clock.freeze(late_evening)
    try:
        due = date(YEAR, 6, 10)
        instansi = session.get(Instansi, known.world.instansi.id)
        assert instansi is not None
        _assign(
            session,
            instansi=instansi,
            course=known.course_b,
            by=known.world.hr,
            start_on=date(YEAR, 6, 1),
            due_on=due,
            people=(known.people["a4"].id,),
        )
        session.commit()

        def a4_overdue() -> bool:
            rows = _rows(client, known, "course=data-uji")
            return next(r for r in rows if r[1] == "Pegawai A4")[4] is True

        assert not a4_overdue()
        instansi.time_zone = "Asia/Jayapura"
        session.commit()
        assert a4_overdue()
    finally:
        clock.freeze(None)
