"""SIASN training records (PRODUCT.md §2): one row per valid Cakap certificate and per
verified training outside Cakap, in the fields BKN's SIASN takes for a *riwayat kursus*:
course name, organiser, certificate number, JP (`jumlahJam`), start and end date
(`dd-mm-yyyy`) and year, with the holder's NIP and name."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.certificates import issuer
from app.core import clock
from app.reports import repository
from app.reports.exports import CSV, XLSX, Column, Export, write_csv, write_xlsx
from app.reports.selection import Selection

COLUMNS = [
    Column("nip", 21, text=True),
    Column("nama", 36),
    Column("namaKursus", 44),
    Column("institusiPenyelenggara", 36),
    Column("nomorSertipikat", 34, text=True),
    Column("jumlahJam", 10),
    Column("tanggalKursus", 14),
    Column("tanggalSelesaiKursus", 20),
    Column("tahunKursus", 12),
    Column("sumber", 10),
]


def dmy(value: date | datetime | None) -> str:
    """`dd-mm-yyyy`, the date format SIASN takes; a time is read as its date in WIB."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(clock.WIB).date()
    return value.strftime("%d-%m-%Y")


def records(session: Session, *, selection: Selection, year: int) -> Iterator[Sequence[Any]]:
    """Cakap certificates first, then external training; each by unit and name. Start is the
    day of enrolment and end the day of completion, as the certificate itself prints them."""
    organiser = issuer.current(session).name
    people = selection.people()
    for nip, name, title, number, jp, enrolled_at, completed_at, issued_on in repository.stream(
        session, repository.siasn_certificates(people, year=year)
    ):
        end = completed_at or issued_on
        yield (nip, name, title, organiser, number, jp, dmy(enrolled_at), dmy(end), year, "cakap")
    for nip, name, title, org, number, jp, start, end in repository.stream(
        session, repository.siasn_external(people, year=year)
    ):
        yield (nip, name, title, org, number or "", jp, dmy(start), dmy(end), end.year, "luar")


def export(session: Session, *, selection: Selection, year: int, fmt: str) -> Export:
    name = f"siasn-riwayat-kursus-{year}"
    rows = records(session, selection=selection, year=year)
    if fmt == "xlsx":
        file, count = write_xlsx(COLUMNS, rows, sheet=f"SIASN {year}", title=name)
        return Export(file, XLSX, f"{name}.xlsx", count)
    file, count = write_csv(COLUMNS, rows)
    return Export(file, CSV, f"{name}.csv", count)


def counts(session: Session, *, selection: Selection, year: int) -> tuple[int, int]:
    """How many records the file will hold: (Cakap certificates, external training)."""
    people = selection.people()
    return (
        repository.count(session, repository.siasn_certificates(people, year=year)),
        repository.count(session, repository.siasn_external(people, year=year)),
    )
