"""The completion report: per course and unit, how many are assigned, enrolled, in progress,
done and overdue, and the people behind each figure.

A row is an enrolment (assigned or self-chosen) or a person assigned who has not opened the
course yet (`not_started`). "Assigned" means an active assignment that has begun today
(app/assignments resolves who it reaches); "overdue" means assigned, past the deadline in the
instansi's own date (WIB, WITA or WIT), and not completed. The year filter narrows the
enrolments to those under way in that year (WIB) and the not-started people to assignments
whose period (start to deadline) overlaps it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import NotFound
from app.models import Course
from app.reports import repository, tree
from app.reports.charts import Bar, BarChart, bar_chart, percent_text
from app.reports.exports import CSV, JSON, XLSX, Column, Export, write_csv, write_json, write_xlsx
from app.reports.selection import Selection
from app.reports.service import PER_PAGE, unit_context, unit_tree

COLUMNS = [
    Column("nip", 21, text=True),
    Column("nama", 36),
    Column("unit_kerja", 36),
    Column("kursus", 30),
    Column("status", 12),
    Column("selesai_pada", 13),
    Column("jp", 5),
    Column("tenggat", 11),
    Column("terlambat", 10),
]
STATUS_LABELS = {"not_started": "Belum mulai", "in_progress": "Berjalan", "completed": "Selesai"}
# The matrix's figures, in order: assigned, enrolled, in progress, completed, overdue.
ASSIGNED, ENROLLED, IN_PROGRESS, COMPLETED, OVERDUE = range(5)
FIGURES = 5


@dataclass
class CourseBlock:
    slug: str
    title: str
    units: list[tree.Node]  # values: assigned, enrolled, in progress, completed, overdue

    @property
    def rows(self) -> list[tree.Node]:
        return tree.flatten(self.units)

    @property
    def total(self) -> list[int]:
        return tree.total(self.units, FIGURES)


@dataclass(frozen=True)
class Enrolment:
    nip: str
    name: str
    unit: str | None
    course: str
    status: str
    completed_at: datetime | None
    jp: int
    due_on: date | None
    overdue: bool

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def course_by_slug(session: Session, *, slug: str | None) -> Course | None:
    if slug is None or not slug.strip():
        return None
    found = repository.course_by_slug(session, slug.strip())
    if found is None:
        raise NotFound(f"Kursus '{slug}' tidak ditemukan.")
    return found


def window(year: int | None) -> tuple[datetime | None, datetime | None]:
    """A year in WIB as UTC bounds: enrolments under way at some time in it count."""
    if year is None:
        return None, None
    start = datetime.combine(date(year, 1, 1), time(), clock.WIB)
    end = datetime.combine(date(year + 1, 1, 1), time(), clock.WIB)
    return start, end


def matrix(
    session: Session, *, selection: Selection, course: Course | None, year: int | None
) -> list[CourseBlock]:
    """Course × unit, rolled up the unit tree: two GROUP BYs (enrolments, and assigned
    people not enrolled) however many people."""
    start, end = window(year)
    counts = repository.completion_counts(
        session,
        selection.people(),
        course_id=course.id if course else None,
        start=start,
        end=end,
        today=clock.local_today(),
    )
    by_course: dict[int, list[tuple[int | None, int | None, list[int]]]] = {}
    for course_id, instansi_id, unit_id, values in counts:
        by_course.setdefault(course_id, []).append((instansi_id, unit_id, values))
    present = {leaf[0] for leaves in by_course.values() for leaf in leaves}
    context = unit_context(session, selection, present)
    return [
        CourseBlock(slug, title, unit_tree(selection, context, by_course[course_id], FIGURES))
        for course_id, slug, title in repository.courses(session)
        if course_id in by_course
    ]


def enrolments(
    session: Session,
    *,
    selection: Selection,
    course: Course | None,
    year: int | None,
    status: str | None,
    page: int,
) -> list[Enrolment]:
    start, end = window(year)
    stmt = repository.completion_rows(
        selection.people(),
        course_id=course.id if course else None,
        start=start,
        end=end,
        today=clock.local_today(),
        status=status,
    )
    rows = repository.jp_page(session, stmt, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return [_enrolment(r) for r in rows]


def _status(raw: str) -> str:
    if raw in ("completed", "not_started"):
        return raw
    return "in_progress"


def _enrolment(r: Sequence[Any]) -> Enrolment:
    return Enrolment(r[0], r[1], r[2], r[3], _status(r[4]), r[5], int(r[6]), r[7], bool(r[8]))


def _local(value: datetime | None) -> str:
    return value.astimezone(clock.WIB).date().isoformat() if value else ""


def _json_batches(session: Session, stmt: Any) -> Iterator[list[dict[str, Any]]]:
    for batch in repository.batches(session, stmt):
        yield [
            {
                "nip": r[0],
                "name": r[1],
                "unit": r[2],
                "course": r[3],
                "status": _status(r[4]),
                "completed_at": r[5].isoformat() if r[5] else None,
                "jp": r[6],
                "due_on": r[7].isoformat() if r[7] else None,
                "overdue": bool(r[8]),
            }
            for r in batch
        ]


def export(
    session: Session, *, selection: Selection, course: Course | None, year: int | None, fmt: str
) -> Export:
    start, end = window(year)
    stmt = repository.completion_rows(
        selection.people(),
        course_id=course.id if course else None,
        start=start,
        end=end,
        today=clock.local_today(),
    )
    name = (
        "laporan-penyelesaian"
        + (f"-{course.slug}" if course else "")
        + (f"-{year}" if year else "")
    )

    def rows() -> Iterator[Enrolment]:
        for r in repository.stream(session, stmt):
            yield _enrolment(r)

    if fmt == "json":
        file, count = write_json({}, _json_batches(session, stmt), dict)
        return Export(file, JSON, f"{name}.json", count)
    table = (
        (
            e.nip,
            e.name,
            e.unit,
            e.course,
            e.status,
            _local(e.completed_at),
            e.jp,
            e.due_on.isoformat() if e.due_on else "",
            "ya" if e.overdue else "tidak",
        )
        for e in rows()
    )
    if fmt == "csv":
        file, count = write_csv(COLUMNS, table)
        return Export(file, CSV, f"{name}.csv", count)
    file, count = write_xlsx(COLUMNS, table, sheet="Penyelesaian", title=name)
    return Export(file, XLSX, f"{name}.xlsx", count)


def chart(blocks: list[CourseBlock]) -> BarChart:
    """Percent completed of those enrolled, per course."""
    bars = []
    for block in blocks:
        total = block.total
        enrolled, completed = total[ENROLLED], total[COMPLETED]
        share = round(100 * completed / enrolled, 1) if enrolled else None
        bars.append(Bar(block.title, share, percent_text(share)))
    return bar_chart(
        id="grafik-selesai",
        title="Persentase peserta yang sudah selesai, per kursus",
        value_label="Selesai",
        bars=bars,
    )


def course_choices(session: Session) -> list[tuple[int, str, str]]:
    return repository.courses(session)
