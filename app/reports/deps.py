"""Query parameters shared by the report routes (pages and API)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query

from app.core import clock
from app.reports.selection import Filters

Year = Annotated[
    int | None, Query(ge=2000, le=2100, description="The JP year (default: this year)")
]
FileFormat = Literal["json", "csv", "xlsx"]


def report_filters(
    instansi: Annotated[
        str | None, Query(max_length=60, description="instansi code (admins)")
    ] = None,
    unit: Annotated[
        str | None, Query(max_length=60, description="unit code: the unit and its sub-units")
    ] = None,
    jenis_asn: Annotated[str | None, Query(max_length=60)] = None,
    golongan: Annotated[str | None, Query(max_length=60)] = None,
    jenis_jabatan: Annotated[str | None, Query(max_length=60)] = None,
) -> Filters:
    return Filters.of(
        instansi=instansi,
        unit=unit,
        jenis_asn=jenis_asn,
        golongan=golongan,
        jenis_jabatan=jenis_jabatan,
    )


def year_or_now(year: int | None) -> int:
    return year if year is not None else clock.local_today().year
