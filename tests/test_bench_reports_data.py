"""The 20-JP benchmark's data generator (tests/benchmarks/reports_data.py) at a tiny scale, on the
test database (SQLite or PostgreSQL): it makes exactly what it is asked for, valid for the app,
and the benchmark's bare SQL aggregate gives the rows the ledger says."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.accounts.scope import Scope, scope_of
from app.asn.nip import validate_nip
from app.core import clock, security
from app.models import (
    Certificate,
    Enrollment,
    ExternalTraining,
    Instansi,
    JpEntry,
    LessonProgress,
    Unit,
    User,
)
from app.org import service as org
from tests.benchmarks import reports, reports_data

SCALE = reports_data.Scale(
    learners=120, progress=1_200, opd=3, bidang=2, sub=2, year=2026, today=date(2026, 11, 30)
)


@pytest.fixture
def generated(session: Session, courses_imported: None) -> dict[str, object]:
    return reports_data.generate(session, SCALE, security.hash_password(reports_data.PASSWORD))


def _lessons(session: Session) -> dict[int, list[str]]:
    """Lesson keys of each course's current version, in reading order."""
    from app.models import Course, Lesson, Module

    rows = session.execute(
        select(Course.id, Module.slug, Lesson.slug)
        .join(Module, Module.version_id == Course.current_version_id)
        .join(Lesson, Lesson.module_id == Module.id)
        .order_by(Course.id, Module.position, Lesson.position)
    )
    keys: dict[int, list[str]] = defaultdict(list)
    for course_id, module, lesson in rows:
        keys[course_id].append(f"{module}/{lesson}")
    return keys


def test_counts_are_exactly_what_was_asked(session: Session, generated: dict[str, object]) -> None:
    bench = session.scalars(select(Instansi).where(Instansi.code == reports_data.BENCH_CODE)).one()
    people = session.scalars(select(User).where(User.instansi_id == bench.id)).all()
    counted = [p for p in people if p.is_active and p.retired_on is None]
    assert len(counted) == 120 == generated["people"]
    assert sum(not p.is_active for p in people) == 2 == generated["inactive"]
    assert [p.retired_on <= SCALE.today for p in people if p.retired_on] == [True]
    assert generated["outsiders"] == 1
    assert session.scalar(select(func.count()).where(Unit.instansi_id == bench.id)) == 21
    assert session.scalar(select(func.count()).select_from(LessonProgress)) == 1_200
    assert generated["lesson_progress"] == 1_200
    completed = session.scalars(select(Enrollment).where(Enrollment.status == "completed")).all()
    verified = session.scalars(
        select(ExternalTraining).where(ExternalTraining.status == "verified")
    ).all()
    assert completed and verified
    entries = session.scalars(select(JpEntry)).all()
    assert len(entries) == len(completed) + len(verified) == generated["jp_entries"]
    assert session.scalar(select(func.count()).select_from(Certificate)) == len(completed)
    assert reports_data.marker(session) == {
        "scale": SCALE.key(),
        "today": "2026-11-30",
        "counts": generated,
    }
    with pytest.raises(reports_data.GenerationError):
        reports_data.generate(session, SCALE, "x")


def test_people_are_valid_for_the_app(session: Session, generated: dict[str, object]) -> None:
    people = session.scalars(select(User).where(User.nip.is_not(None))).all()
    assert len({p.nip for p in people}) == len(people) == 124
    for person in people:
        info = validate_nip(person.nip or "", kind=person.jenis_asn or "PNS", today=SCALE.today)
        assert info.number == person.nip
        assert person.unit is not None and person.unit.instansi_id == person.instansi_id
        assert person.golongan and person.jenis_jabatan and person.jabatan and person.name
        assert person.privacy_accepted_at is not None and person.privacy_accepted_at.tzinfo
    assert {p.jenis_asn for p in people} == {"PNS", "CPNS", "PPPK"}
    hr = session.scalars(select(User).where(User.nip == generated["hr_nip"])).one()
    assert security.verify_password(hr.password_hash, reports_data.PASSWORD)
    assert scope_of(session, hr) == Scope(instansi_id=generated["instansi_id"])


def test_progress_and_ledger_hold_together(session: Session, generated: dict[str, object]) -> None:
    lessons = _lessons(session)
    done: dict[int, set[str]] = defaultdict(set)
    for enrollment_id, key in session.execute(
        select(LessonProgress.enrollment_id, LessonProgress.lesson_key)
    ):
        done[enrollment_id].add(key)
    course_entries = {
        e.enrollment_id: e
        for e in session.scalars(select(JpEntry).where(JpEntry.source == "course"))
    }
    partial = 0
    for enrollment in session.scalars(select(Enrollment)):
        keys = lessons[enrollment.course_id]
        mine = done[enrollment.id]
        if enrollment.status == "completed":
            assert mine == set(keys)
            assert enrollment.completed_at is not None and enrollment.completed_at.tzinfo
            entry = course_entries[enrollment.id]
            assert entry.earned_on == enrollment.completed_at.astimezone(clock.WIB).date()
            assert entry.earned_on < SCALE.today and entry.jp == enrollment.version.jp
        else:
            assert mine == set(keys[: len(mine)]) and len(mine) < len(keys)  # a prefix
            assert enrollment.id not in course_entries
            partial += bool(mine)
    assert partial
    for entry in session.scalars(select(JpEntry)):
        assert entry.year == entry.earned_on.year
    for training in session.scalars(select(ExternalTraining)):
        assert training.jp <= 10 * training.days


@pytest.mark.parametrize("unit", [None, "D02"])
def test_bare_sql_gives_the_ledger_rows(
    session: Session, generated: dict[str, object], unit: str | None
) -> None:
    bench = session.get(Instansi, generated["instansi_id"])
    assert bench is not None
    in_scope = None
    if unit:
        in_scope = org.subtree_ids(
            session, unit=org.unit_by_code(session, instansi=bench, code=unit)
        )
    jp: dict[int, dict[str, int]] = defaultdict(lambda: {"course": 0, "external": 0})
    for entry in session.scalars(select(JpEntry).where(JpEntry.year == SCALE.year)):
        jp[entry.user_id][entry.source] += entry.jp
    expected = {}
    for p in session.scalars(select(User).where(User.instansi_id == bench.id)):
        if not p.is_active or p.retired_on is not None or (in_scope and p.unit_id not in in_scope):
            continue
        mine = jp[p.id]
        total = mine["course"] + mine["external"]
        expected[p.nip] = (total, mine["course"], mine["external"], total >= 20)

    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    params = {
        "year": SCALE.year,
        "instansi": bench.id,
        "today": SCALE.today if postgres else SCALE.today.isoformat(),
    }
    style = "pyformat" if postgres else "named"
    ids = None
    if unit:
        subtree = conn.exec_driver_sql(
            reports.subtree_sql(style), {"instansi": bench.id, "unit": unit}
        )
        ids = [r[0] for r in subtree]
        assert set(ids) == in_scope
    rows = conn.exec_driver_sql(reports.bare_sql(unit_ids=ids, paramstyle=style), params).all()
    got = {r[0]: (int(r[3]), int(r[4]), int(r[5]), bool(r[6])) for r in rows}
    assert got == expected
    assert len(rows) == (120 if unit is None else len(expected)) and expected
    assert 0 < sum(v[3] for v in got.values()) < len(got)  # some met, not all
