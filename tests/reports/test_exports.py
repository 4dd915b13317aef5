"""CSV, XLSX, SIASN and PDF exports: safe to open, complete, and audited."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent
from tests.conftest import login
from tests.factories import World
from tests.reports.known import YEAR, Known, build
from tests.reports.test_jp import bearer


@pytest.fixture
def known(session: Session, world: World) -> Known:
    return build(session, world)


def _csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _audits(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_jp_csv_has_a_bom_one_header_nips_as_text_and_is_audited(
    client: TestClient, session: Session, known: Known
) -> None:
    response = client.get(
        "/api/v1/reports/jp?format=csv&unit=DINKES", headers=bearer(client, known.world.hr)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = _csv(response.content)
    assert rows[0] == ["nip", "nama", "unit_kerja", "jp", "jp_cakap", "jp_luar", "memenuhi_20_jp"]
    assert len(rows) == 5
    nips = {r[0] for r in rows[1:]}
    # grouped as on official documents, so that a spreadsheet keeps them as text
    assert all(re.fullmatch(r"\d{8} \d{6} \d \d{3}", n) for n in nips)
    assert {n.replace(" ", "") for n in nips} == {
        known.people[k].nip for k in ("a1", "a2", "a3", "a4")
    }
    a1 = next(r for r in rows if r[1] == "Pegawai A1")
    assert a1[3:] == ["20", "12", "8", "ya"]
    [event] = _audits(session, "report.jp_export")
    assert event.actor_id == known.world.hr.id
    assert event.detail == {
        "format": "csv",
        "filter": {
            "instansi": "3206",
            "unit": "DINKES",
            "jenis_asn": None,
            "golongan": None,
            "jenis_jabatan": None,
            "year": YEAR,
        },
        "rows": 4,
    }


def test_no_csv_cell_starts_a_formula(client: TestClient, known: Known) -> None:
    known.people["a4"].name = '=HYPERLINK("http://x")'
    client.app.state.db  # noqa: B018 - the test session shares the app's connection
    from sqlalchemy.orm import object_session

    object_session(known.people["a4"]).commit()  # type: ignore[union-attr]
    for path in ("/api/v1/reports/jp?format=csv", "/api/v1/reports/siasn?format=csv"):
        body = client.get(path, headers=bearer(client, known.world.hr)).content
        for row in _csv(body):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (path, cell)
    report = client.get("/api/v1/reports/jp", headers=bearer(client, known.world.hr)).json()
    assert '=HYPERLINK("http://x")' in {r["name"] for r in report["rows"]}  # JSON-escaped
    siasn = _csv(
        client.get("/api/v1/reports/siasn", headers=bearer(client, known.world.hr)).content
    )
    assert "'=EXT-001" in {r[4] for r in siasn} and "'@BSSN" in {r[3] for r in siasn}


def test_jp_xlsx_opens_with_nips_as_text_cells(
    client: TestClient, session: Session, known: Known
) -> None:
    from openpyxl import load_workbook

    response = client.get("/api/v1/reports/jp?format=xlsx", headers=bearer(client, known.world.hr))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "nip" and len(rows) == 11
    assert all(isinstance(r[0], str) and len(r[0]) == 18 for r in rows[1:])
    assert {r[0] for r in rows[1:]} >= {known.people["a1"].nip}
    a1 = next(r for r in rows if r[1] == "Pegawai A1")
    assert a1[3:] == (20, 12, 8, "ya")
    assert _audits(session, "report.jp_export")[0].detail["format"] == "xlsx"


def test_siasn_holds_every_certificate_with_dd_mm_yyyy_dates_and_nothing_else(
    client: TestClient, session: Session, known: Known
) -> None:
    response = client.get(
        "/api/v1/reports/siasn?format=csv", headers=bearer(client, known.world.hr)
    )
    rows = _csv(response.content)
    assert rows[0] == [
        "nip", "nama", "namaKursus", "institusiPenyelenggara", "nomorSertipikat", "jumlahJam",
        "tanggalKursus", "tanggalSelesaiKursus", "tahunKursus", "sumber",
    ]  # fmt: skip
    body = rows[1:]
    numbers = {r[4].lstrip("'") for r in body}
    assert numbers == set(known.certificate_numbers)  # the revoked one, the pending one: out
    assert known.revoked_number not in numbers and "EXT-PENDING" not in numbers
    cakap = next(r for r in body if r[9] == "cakap")
    assert cakap[0].replace(" ", "") == known.people["a1"].nip
    assert cakap[1:3] == ["Pegawai A1", "Literasi Digital bagi ASN"]
    assert cakap[5:9] == ["8", f"01-02-{YEAR}", f"21-02-{YEAR}", str(YEAR)]  # WIB dates
    outside = next(r for r in body if r[9] == "luar")
    assert outside[5:9] == ["25", f"04-05-{YEAR}", f"06-05-{YEAR}", str(YEAR)]
    [event] = _audits(session, "report.siasn_export")
    assert event.detail["rows"] == 2


def test_siasn_xlsx_opens(client: TestClient, known: Known) -> None:
    from openpyxl import load_workbook

    response = client.get(
        "/api/v1/reports/siasn?format=xlsx", headers=bearer(client, known.world.hr)
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][4] in set(known.certificate_numbers)


def test_completion_csv_and_xlsx(client: TestClient, session: Session, known: Known) -> None:
    rows = _csv(
        client.get(
            "/api/v1/reports/completions?format=csv", headers=bearer(client, known.world.hr)
        ).content
    )
    assert rows[0][:5] == ["nip", "nama", "unit_kerja", "kursus", "status"]
    assert len(rows) == 5
    assert {r[5] for r in rows[1:] if r[4] == "completed"} == {f"{YEAR}-02-21"}
    assert len(_audits(session, "report.completion_export")) == 1


def test_page_downloads_are_audited_too(client: TestClient, session: Session, known: Known) -> None:
    login(client, known.world.hr.nip or "")
    for path in (
        "/hr/reports/jp/download?format=csv",
        "/hr/reports/jp/download?format=xlsx",
        "/hr/reports/completion/download?format=csv",
        "/hr/reports/siasn/download?format=xlsx",
    ):
        assert client.get(path).status_code == 200, path
    assert len(_audits(session, "report.jp_export")) == 2
    assert len(_audits(session, "report.completion_export")) == 1
    assert len(_audits(session, "report.siasn_export")) == 1
    page = client.get("/hr/reports/siasn")
    assert "Sertifikat Cakap".lower() in page.text.lower()


def test_pdf_report_is_a_pdf_with_the_title(
    client: TestClient, session: Session, known: Known, tmp_path: Any
) -> None:
    login(client, known.world.hr.nip or "")
    response = client.get("/hr/reports/jp/download?format=pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert _audits(session, "report.jp_export")[0].detail["format"] == "pdf"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert f"REKAPITULASI PEMENUHAN 20 JP TAHUN {YEAR}" in text
    assert "Pemerintah Kabupaten Tasikmalaya".upper() in text
    assert "Pegawai A1" in text and "30,0%" in text
