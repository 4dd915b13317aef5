"""The printable 20-JP report for the regent (WeasyPrint): letterhead, title, filters, date
printed, summary, chart, the unit roll-up and the people. The data is gathered first, in the
request's read transaction; rendering then needs no database (the route ends the read before
it), and fetches nothing: the chart is inline SVG and the fetcher refuses every URL."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.asn.employment import JENIS_JABATAN
from app.core import clock
from app.core.templating import environment, tanggal
from app.reports import repository, service
from app.reports.charts import BarChart
from app.reports.exports import PDF, Export
from app.reports.selection import Selection

# A PDF is read by people: past this many, the people table points to the XLSX instead.
PEOPLE_LIMIT = 1_000
# The chart's viewBox on paper: 12-unit labels come out near 10 pt across the A4 text width.
PRINT_WIDTH = 600


@dataclass
class JpPrint:
    summary: service.JpSummary
    chart: BarChart
    people: list[service.PersonJp]
    printed_on: str
    filters: list[tuple[str, str]]


def _filters(selection: Selection, year: int) -> list[tuple[str, str]]:
    out = [("Tahun", str(year))]
    if selection.unit is not None:
        out.append(("Unit kerja", f"{selection.unit.name} dan sub-unitnya"))
    if selection.jenis_asn:
        out.append(("Jenis ASN", selection.jenis_asn))
    if selection.golongan:
        out.append(("Golongan", selection.golongan))
    if selection.jenis_jabatan:
        out.append(("Jenis jabatan", JENIS_JABATAN.get(selection.jenis_jabatan, "")))
    return out


def gather(session: Session, *, selection: Selection, year: int) -> JpPrint:
    summary = service.jp_summary(session, selection=selection, year=year)
    stmt = repository.jp_people(selection.counted(), year=year)
    rows = repository.jp_page(session, stmt, limit=PEOPLE_LIMIT, offset=0)
    people = [service.PersonJp(r[0], r[1], r[4], int(r[5]), int(r[6])) for r in rows]
    return JpPrint(
        summary=summary,
        chart=service.jp_chart(summary, width=PRINT_WIDTH),
        people=people,
        printed_on=tanggal(clock.local_today()),
        filters=_filters(selection, year),
    )


def _refuse(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the report PDF fetches nothing ({url})")


def render_jp(report: JpPrint) -> Export:
    from weasyprint import HTML

    html = environment().get_template("reports/pdf/jp.html").render(r=report, limit=PEOPLE_LIMIT)
    data = HTML(string=html, url_fetcher=_refuse).write_pdf()
    assert data is not None
    name = f"rekap-20-jp-{report.summary.year}.pdf"
    return Export(io.BytesIO(data), PDF, name, len(report.people))
