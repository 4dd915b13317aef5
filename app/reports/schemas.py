"""The reports' JSON shapes (PRODUCT.md §5), for the OpenAPI document. The bodies themselves
are streamed from a file (app/reports/exports.py), not validated row by row."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Summary(BaseModel):
    people: int
    met: int
    percent_met: float


class JpRow(BaseModel):
    nip: str
    name: str
    unit: str | None
    jp: int
    jp_cakap: int
    jp_external: int
    met: bool


class UnitRollup(BaseModel):
    code: str | None
    name: str
    instansi: str
    depth: int
    people: int
    met: int
    percent_met: float


class JpReportOut(BaseModel):
    year: int
    summary: Summary
    rows: list[JpRow]
    units: list[UnitRollup]


class CompletionRow(BaseModel):
    nip: str
    name: str
    unit: str | None
    course: str
    status: str
    completed_at: datetime | None
    jp: int
    due_on: str | None
    overdue: bool | None


class CompletionReportOut(BaseModel):
    rows: list[CompletionRow]


FILES = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
