"""Read a people spreadsheet (CSV or XLSX) into numbered rows, or say clearly why not."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

KNOWN_COLUMNS = (
    "nip", "nama", "email", "jenis_asn", "golongan", "jenis_jabatan", "jabatan",
    "kode_unit", "nama_unit",
)  # fmt: skip
REQUIRED_COLUMNS = ("nip", "nama")


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported; nothing is written."""


@dataclass
class Sheet:
    columns: list[str]  # normalised header names, in file order
    rows: list[tuple[int, dict[str, object]]]  # (spreadsheet row number, values)
    unknown_columns: list[str]


def _normalise_header(name: object) -> str:
    return str(name or "").strip().lower().replace(" ", "_").replace("-", "_")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(
                "Berkas tidak dapat dibaca: gunakan CSV dengan pengodean UTF-8 atau Windows-1252."
            ) from None


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise UnreadableFile("Berkas bukan CSV teks. Unggah berkas .csv atau .xlsx.")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(f"CSV tidak valid: {exc}.") from None


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(
            f"Berkas XLSX rusak atau tidak valid ({type(exc).__name__})."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_sheet(data: bytes, filename: str, *, max_rows: int) -> Sheet:
    if not data:
        raise UnreadableFile("Berkas kosong.")
    name = filename.lower()
    is_xlsx = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") or is_xlsx:
        if not is_xlsx:
            raise UnreadableFile("Berkas berekstensi .xlsx tetapi isinya bukan XLSX.")
        raw: list[list[object]] = _xlsx_rows(data)
    elif name.endswith(".xls"):
        raise UnreadableFile(
            "Format .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx atau .csv."
        )
    else:
        raw = [list(r) for r in _csv_rows(data)]

    # Skip leading blank lines; the header is the first non-empty row.
    header_index = next(
        (i for i, r in enumerate(raw) if any(str(c or "").strip() for c in r)), None
    )
    if header_index is None:
        raise UnreadableFile("Berkas tidak berisi data.")
    columns = [_normalise_header(c) for c in raw[header_index]]
    while columns and not columns[-1]:
        columns.pop()
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UnreadableFile(
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Baris pertama harus berisi "
            f"judul kolom, misalnya: {', '.join(KNOWN_COLUMNS)}."
        )
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    if duplicated:
        raise UnreadableFile(f"Kolom muncul lebih dari sekali: {', '.join(duplicated)}.")
    unknown = [c for c in columns if c and c not in KNOWN_COLUMNS]

    rows: list[tuple[int, dict[str, object]]] = []
    for offset, values in enumerate(raw[header_index + 1 :], start=header_index + 2):
        if not any(str(v or "").strip() for v in values):
            continue
        record = {
            col: values[i] if i < len(values) else None
            for i, col in enumerate(columns)
            if col in KNOWN_COLUMNS
        }
        rows.append((offset, record))
        if len(rows) > max_rows:
            raise UnreadableFile(
                f"Berkas berisi lebih dari {max_rows:,} baris data. "
                "Bagi menjadi beberapa berkas.".replace(",", ".")
            )
    return Sheet(columns=columns, rows=rows, unknown_columns=unknown)
