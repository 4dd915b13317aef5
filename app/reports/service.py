"""The 20-JP report (PRODUCT.md §2: at least 20 JP a year; retired and deactivated people
leave the counts) and the audit of every export."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as quoted
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.models import User
from app.reports import repository, tree
from app.reports.charts import WIDTH, Bar, BarChart, bar_chart, percent_text
from app.reports.exports import CSV, JSON, XLSX, Column, Export, write_csv, write_json, write_xlsx
from app.reports.repository import MET_JP
from app.reports.selection import Selection

FORMATS = ("json", "csv", "xlsx")
# One row of the JSON report, formatted directly: a dict per person and the generic encoder
# took half the report's time at 100,000 people.
JP_ROW = (
    '{"nip": %s, "name": %s, "unit": %s, "jp": %d, "jp_cakap": %d, "jp_external": %d, "met": %s}'
)
PER_PAGE = 50

JP_COLUMNS = [
    Column("nip", 21, text=True),
    Column("nama", 36),
    Column("unit_kerja", 36),
    Column("jp", 6),
    Column("jp_cakap", 9),
    Column("jp_luar", 8),
    Column("memenuhi_20_jp", 15),
]


@dataclass(frozen=True)
class UnitContext:
    """The units (and instansi) a report's tree is drawn from, read once per report."""

    instansi: list[tuple[int, str, str]]
    units: list[tuple[int, int, int | None, str, str]]


@dataclass
class JpSummary:
    year: int
    selection: Selection
    context: UnitContext
    units: list[tree.Node]  # the roll-up tree (values: people, met)
    people: int
    met: int

    @property
    def percent_met(self) -> float:
        return round(100 * self.met / self.people, 1) if self.people else 0.0

    @property
    def rows(self) -> list[tree.Node]:
        return tree.flatten(self.units)


@dataclass(frozen=True)
class PersonJp:
    nip: str
    name: str
    unit: str | None
    jp: int
    jp_cakap: int

    @property
    def jp_external(self) -> int:
        return self.jp - self.jp_cakap

    @property
    def met(self) -> bool:
        return self.jp >= MET_JP


def _instansi_ids(selection: Selection) -> list[int] | None:
    return [selection.instansi.id] if selection.instansi is not None else None


def unit_context(
    session: Session, selection: Selection, present: set[int | None] | None = None
) -> UnitContext:
    """The selection's instansi; for an admin's whole country, those in `present` (the
    instansi that have people in the report) or else all."""
    ids = _instansi_ids(selection)
    if ids is None and present is not None:
        ids = sorted(i for i in present if i is not None)
    return UnitContext(
        repository.instansi_names(session, ids), repository.units(session, instansi_ids=ids)
    )


def unit_tree(
    selection: Selection,
    context: UnitContext,
    leaves: list[tuple[int | None, int | None, list[int]]],
    width: int,
) -> list[tree.Node]:
    return tree.build(
        width=width,
        instansi=context.instansi,
        units=context.units,
        leaves=leaves,
        only_units=selection.unit_ids,
        group_by_instansi=selection.instansi is None,
    )


def jp_summary(session: Session, *, selection: Selection, year: int) -> JpSummary:
    """People and those who met 20 JP, per unit with roll-up: one GROUP BY, whatever the
    number of people, plus the unit tree."""
    leaves = [
        (i, u, [n, m])
        for i, u, n, m in repository.jp_by_unit(session, selection.counted(), year=year)
    ]
    context = unit_context(session, selection, {i for i, _, _ in leaves})
    units = unit_tree(selection, context, leaves, 2)
    people, met = tree.total(units, 2)
    return JpSummary(year, selection, context, units, people, met)


def jp_people(
    session: Session, *, selection: Selection, year: int, met: bool | None, page: int
) -> list[PersonJp]:
    """One page of people (by unit, then name) with their JP of the year."""
    stmt = repository.jp_people(selection.counted(), year=year, met=met)
    rows = repository.jp_page(session, stmt, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    return [PersonJp(r[0], r[1], r[4], int(r[5]), int(r[6])) for r in rows]


def jp_chart(summary: JpSummary, *, link: Any = None, width: int = WIDTH) -> BarChart:
    """Percent meeting 20 JP per top unit (per OPD), or per sub-unit of the unit drilled into."""
    nodes = summary.units
    if len(nodes) == 1 and nodes[0].children:
        nodes = nodes[0].children
    bars = [
        Bar(
            n.name,
            n.percent(),
            percent_text(n.percent()),
            link(n) if link is not None and n.unit_code else None,
        )
        for n in nodes
    ]
    return bar_chart(
        id="grafik-jp",
        title=f"Persentase pegawai yang memenuhi 20 JP, tahun {summary.year}",
        value_label="Memenuhi 20 JP",
        bars=bars,
        width=width,
    )


def _jp_table(session: Session, selection: Selection, year: int) -> Iterator[Sequence[Any]]:
    """The file rows: NIP, name, unit, JP, Cakap, external, met ("ya"/"tidak")."""
    stmt = repository.jp_people(selection.counted(), year=year)
    for batch in repository.plain_batches(session, stmt):
        for nip, name, _instansi_id, _unit_id, unit, jp, cakap in batch:
            met = "ya" if jp >= MET_JP else "tidak"
            yield (nip, name, unit, jp, cakap, jp - cakap, met)


def jp_export(session: Session, *, selection: Selection, year: int, fmt: str) -> Export:
    """The report's people, as JSON (PRODUCT.md §5 shape, with the unit roll-up), CSV or XLSX:
    one query streamed into the file."""
    name = f"rekap-20-jp-{year}"
    if fmt == "csv":
        file, count = write_csv(JP_COLUMNS, _jp_table(session, selection, year))
        return Export(file, CSV, f"{name}.csv", count)
    if fmt == "xlsx":
        table = _jp_table(session, selection, year)
        file, count = write_xlsx(JP_COLUMNS, table, sheet=f"Rekap 20 JP {year}", title=name)
        return Export(file, XLSX, f"{name}.xlsx", count)
    return _jp_json(session, selection, year, name)


def _jp_json(session: Session, selection: Selection, year: int, name: str) -> Export:
    """Rows first, straight from the cursor; the summary and the roll-up, which need every row,
    after them (JSON objects are unordered), so the people are read once."""
    context = unit_context(session, selection)
    counts: Counter[tuple[int | None, int | None, bool]] = Counter()
    stmt = repository.jp_people(selection.counted(), year=year)

    def batches() -> Iterator[list[str]]:
        units: dict[str | None, str] = {None: "null"}  # a unit's name as JSON, encoded once
        for batch in repository.plain_batches(session, stmt):
            out = []
            for nip, person, instansi_id, unit_id, unit, jp, cakap in batch:
                met = jp >= MET_JP
                counts[(instansi_id, unit_id, met)] += 1
                if unit not in units:
                    units[unit] = quoted(unit)
                out.append(
                    JP_ROW
                    % (
                        quoted(nip),
                        quoted(person),
                        units[unit],
                        jp,
                        cakap,
                        jp - cakap,
                        "true" if met else "false",
                    )
                )
            yield out

    def tail() -> dict[str, Any]:
        leaves: dict[tuple[int | None, int | None], list[int]] = {}
        for (instansi_id, unit_id, reached), n in counts.items():
            figures = leaves.setdefault((instansi_id, unit_id), [0, 0])
            figures[0] += n
            figures[1] += n if reached else 0
        present = {i for i, _ in leaves}
        top = unit_tree(
            selection,
            UnitContext(
                [r for r in context.instansi if r[0] in present],
                [u for u in context.units if u[1] in present],
            ),
            [(i, u, v) for (i, u), v in leaves.items()],
            2,
        )
        people, met = tree.total(top, 2)
        return {
            "summary": {
                "people": people,
                "met": met,
                "percent_met": round(100 * met / people, 1) if people else 0.0,
            },
            "units": [
                {
                    "code": n.unit_code,
                    "name": n.name,
                    "instansi": n.instansi_code,
                    "depth": n.depth,
                    "people": n.values[0],
                    "met": n.values[1],
                    "percent_met": n.percent() or 0.0,
                }
                for n in tree.flatten(top)
            ],
        }

    file, count = write_json({"year": year}, batches(), tail)
    return Export(file, JSON, f"{name}.json", count)


# --- audit -----------------------------------------------------------------------------------

REPORT_ACTIONS = {
    "jp": "report.jp_export",
    "completion": "report.completion_export",
    "siasn": "report.siasn_export",
}


def record_export(
    session: Session,
    *,
    actor: User,
    report: str,
    fmt: str,
    selection: Selection,
    rows: int,
    extra: dict[str, Any] | None = None,
) -> None:
    """Every export of people's data is audited (PRODUCT.md §2 Personal data): who, when (the
    event's time), which report and format, the filters and how many rows were written."""
    audit.record(
        session,
        actor=actor,
        action=REPORT_ACTIONS[report],
        object_type="report",
        object_id=report,
        instansi_id=selection.instansi.id if selection.instansi else None,
        detail={
            "format": fmt,
            "filter": {**selection.describe(), **(extra or {})},
            "rows": rows,
        },
    )
