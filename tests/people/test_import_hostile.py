"""Hostile people files (issue 9, items 1, 3, 5, 6): streamed and bounded XLSX reading, field
lengths checked before validation, formula-safe CSV downloads, unit codes checked as
elsewhere."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.csv_export import csv_text, safe_cell
from app.core.errors import Invalid
from app.models import ImportBatch, Unit, User
from tests.conftest import form_token, login
from tests.factories import World
from tests.people.test_import import GOOD, HEADER, count_users, csv_bytes, run

SHEET = "xl/worksheets/sheet1.xml"


def xlsx_bytes(rows: list[str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    for row in rows:
        ws.append(row.split(","))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The same workbook with one part of the zip changed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, change(content) if item.filename == member else content)
    return out.getvalue()


def _declare(ref: str) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + f'<dimension ref="{ref}"/>'.encode() + xml[end:]

    return change


def test_declared_full_sheet_dimension_is_ignored_and_memory_stays_flat(
    session: Session, world: World
) -> None:
    def full_sheet_and_a_gap(xml: bytes) -> bytes:
        xml = _declare("A1:XFD1048576")(xml)
        return xml.replace(b'<row r="3">', b'<row r="300">').replace(b'3" t=', b'300" t=')

    data = rewritten(xlsx_bytes(GOOD[:2]), SHEET, full_sheet_and_a_gap)
    tracemalloc.start()
    try:
        report = run(session, world, data, dry_run=True, filename="asn.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (report.total_rows, report.created) == (2, 2)
    assert peak < 10 * 1024 * 1024, f"{peak / 1e6:.0f} MB to read two rows"


def test_a_row_numbered_a_million_is_refused_not_walked_to(session: Session, world: World) -> None:
    def far_row(xml: bytes) -> bytes:
        return xml.replace(b'<row r="3">', b'<row r="1048576">').replace(b'r="A3"', b'r="A1048576"')

    data = rewritten(xlsx_bytes(GOOD[:2]), SHEET, far_row)
    started = time.monotonic()
    with pytest.raises(Invalid, match="melewati baris"):
        run(session, world, data, dry_run=True, filename="asn.xlsx")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "change",
    [
        lambda xml: xml[: len(xml) // 2],  # cut in the middle of a row
        lambda xml: xml.replace(b"</sheetData>", b"<row><c><v>"),
        lambda xml: xml.replace(b'r="2"', b'r="dua"'),
    ],
    ids=["truncated", "unclosed", "bad-row-number"],
)
def test_malformed_sheet_xml_is_a_clear_refusal(
    session: Session, world: World, change: Callable[[bytes], bytes]
) -> None:
    data = rewritten(xlsx_bytes(GOOD[:2]), SHEET, change)
    with pytest.raises(Invalid, match="rusak"):
        run(session, world, data, dry_run=True, filename="asn.xlsx")


def test_malformed_sheet_xml_through_the_api_is_a_422(client: TestClient, world: World) -> None:
    from tests.accounts.test_api_auth import token_for

    data = rewritten(xlsx_bytes(GOOD[:2]), SHEET, lambda xml: xml[: len(xml) // 2])
    response = client.post(
        "/api/v1/people/import",
        headers={"Authorization": f"Bearer {token_for(client, world.hr.nip or '')}"},
        files={"file": ("asn.xlsx", data, "application/octet-stream")},
    )
    assert response.status_code == 422
    assert "rusak" in response.json()["detail"]


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_parsing(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "import_max_unpacked_bytes", 2 * 1024 * 1024)
    padding = b" " * (3 * 1024 * 1024)
    data = rewritten(
        xlsx_bytes(GOOD[:2]),
        SHEET,
        lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>"),
    )
    assert len(data) < 50_000, "a small upload"
    with pytest.raises(Invalid, match="terlalu besar setelah dibuka"):
        run(session, world, data, dry_run=True, filename="asn.xlsx")


def test_an_xlsx_packed_like_a_zip_bomb_is_refused(session: Session, world: World) -> None:
    padding = b" " * (2 * 1024 * 1024)
    data = rewritten(
        xlsx_bytes(GOOD[:2]),
        SHEET,
        lambda xml: xml.replace(b"<sheetData>", padding + b"<sheetData>"),
    )
    with pytest.raises(Invalid, match="dimampatkan berlebihan"):
        run(session, world, data, dry_run=True, filename="asn.xlsx")


def test_errors_download_does_not_parse_the_upload_again(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr.nip or "")
    rows = [*GOOD[:2], '198513122010011009,=HYPERLINK("http://x"),,PNS,III/a,,,,']
    page = client.post(
        "/hr/import",
        data={"csrf_token": form_token(client, "/hr/import"), "instansi": "3206"},
        files={"file": ("asn.csv", csv_bytes(rows), "text/csv")},
    )
    assert page.status_code == 200, page.text
    batch = session.scalars(select(ImportBatch)).one()
    batch.data = b""  # a re-parse would now fail
    session.commit()
    download = client.get(f"/hr/import/{batch.id}/errors.csv")
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbf")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "198513122010011009" in lines[1]
    cells = next(csv.reader([lines[1]], delimiter=";"))
    assert cells[1] == '\'=HYPERLINK("http://x")', "a formula is neutralised"


# --- item 3: field lengths before validation ------------------------------------------------


def test_a_40000_character_email_cell_is_refused_at_once(session: Session, world: World) -> None:
    huge = "a@" + "a." * 20_000 + " x"
    row = f"198503122010011002,Asep,{huge},PNS,III/b,,,,"
    started = time.monotonic()
    report = run(session, world, csv_bytes([row]), dry_run=True)
    assert time.monotonic() - started < 1
    assert [(e.field, e.message) for e in report.errors] == [
        ("email", "terlalu panjang (maksimal 254 karakter)")
    ]
    assert len(report.bad_rows) < 2_000, "the long value is not copied whole into the download"


@pytest.mark.parametrize(
    ("column", "value", "limit"),
    [("nama", "N" * 201, 200), ("jabatan", "J" * 201, 200), ("nip", "1" * 41, 40)],
)
def test_every_field_has_a_length_limit(
    session: Session, world: World, column: str, value: str, limit: int
) -> None:
    values = dict(zip(HEADER.split(","), GOOD[0].split(","), strict=True)) | {column: value}
    report = run(session, world, csv_bytes([",".join(values.values())]), dry_run=True)
    assert (column, f"terlalu panjang (maksimal {limit} karakter)") in [
        (e.field, e.message) for e in report.errors
    ]


@pytest.mark.parametrize("email", ["a@b", "a@@contoh.go.id", "a b@contoh.go.id", "a@contoh..id"])
def test_email_syntax_is_checked_by_a_vetted_validator(
    session: Session, world: World, email: str
) -> None:
    row = f"198503122010011002,Asep,{email},PNS,III/b,,,,"
    report = run(session, world, csv_bytes([row]), dry_run=True)
    assert [e.field for e in report.errors] == ["email"]


def test_account_creation_bounds_name_and_email(session: Session, world: World) -> None:
    from app.accounts import service as accounts

    with pytest.raises(Invalid, match="terlalu panjang"):
        accounts.create_user(
            session, nip=None, name="A", password=None, roles=["learner"], email="a" * 300 + "@x.id"
        )
    with pytest.raises(Invalid, match="maksimal 200"):
        accounts.create_user(
            session, nip=None, name="A" * 201, password=None, roles=["learner"], email="a@x.id"
        )
    user = accounts.create_user(
        session, nip=None, name="Asep", password=None, roles=["learner"], email="Asep@Contoh.GO.ID"
    )
    assert user.email == "asep@contoh.go.id"


# --- item 5: CSV downloads ------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["=1+1", "+62812", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_would_be_formulas_are_quoted_as_text(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    document = csv_text([[cell]])
    assert document.startswith("\ufeff")
    assert next(csv.reader(io.StringIO(document[1:]), delimiter=";")) == ["'" + cell]


def test_ordinary_csv_cells_are_unchanged() -> None:
    assert [safe_cell(v) for v in ("Asep", "198503122010011002", None, 12, "a=b")] == [
        "Asep",
        "198503122010011002",
        "",
        "12",
        "a=b",
    ]


# --- item 6: units made by an import --------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [
        ("../" * 100 + "etc", "Unit Jahat", "kode_unit"),
        ("../etc", "Unit Jahat", "kode_unit"),
        ("UNIT BARU", "Unit Baru", "kode_unit"),
        ("U" * 41, "Unit Baru", "kode_unit"),
        ("UNIT.BARU", "N" * 201, "nama_unit"),
    ],
)
def test_units_created_by_an_import_follow_the_unit_rules(
    session: Session, world: World, code: str, name: str, field: str
) -> None:
    row = f"198503122010011002,Asep,,PNS,III/b,,,{code},{name}"
    report = run(session, world, csv_bytes([row]), dry_run=False)
    assert field in {e.field for e in report.errors}
    assert report.created == 0
    assert session.scalars(select(Unit).where(Unit.code == code)).first() is None
    assert count_users(session) == len(session.scalars(select(User)).all())
