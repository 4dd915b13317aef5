"""Read a people spreadsheet (CSV or XLSX) into numbered rows, or say clearly why not."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator
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


MAX_COLUMNS = 64  # read at most this many columns of a sheet, whatever it declares
MAX_ARCHIVE_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 100  # a sheet written by Excel or openpyxl packs about 10–15 to 1
BLANK_ROW_ALLOWANCE = 10_000  # empty rows tolerated among and below the data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def _check_archive(data: bytes, *, max_unpacked_bytes: int) -> None:
    """Refuse a zip bomb before any XML is parsed: the members' declared sizes and ratios.
    (A member that unpacks to more than it declares fails its CRC check while being read.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile("Berkas XLSX rusak atau tidak valid.") from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise UnreadableFile("Berkas XLSX tidak wajar: terlalu banyak bagian di dalamnya.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > max_unpacked_bytes:
        raise UnreadableFile(
            f"Isi berkas XLSX terlalu besar setelah dibuka ({_mb(unpacked)} MB; maksimal "
            f"{_mb(max_unpacked_bytes)} MB). Bagi menjadi beberapa berkas atau simpan sebagai CSV."
        )
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_COMPRESSION_RATIO * max(
            m.compress_size, 1
        ):
            raise UnreadableFile(
                "Berkas XLSX tidak wajar: isinya dimampatkan berlebihan. Simpan ulang berkas "
                "dari aplikasi lembar kerja atau sebagai CSV."
            )


# What a damaged or hostile workbook raises while it is opened or read: XML syntax errors
# (SyntaxError subclasses, from ElementTree and lxml), bad zip data, and values openpyxl
# cannot convert.
_PARSE_ERRORS = (
    SyntaxError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
)


def _xlsx_rows(data: bytes, *, max_unpacked_bytes: int, max_scanned: int) -> Iterator[list[object]]:
    """The first sheet's rows, streamed (openpyxl read-only), numbered from 1 with the blank
    rows in between. The sheet's declared `<dimension>` is ignored: a file that claims the
    whole grid would otherwise make every row 16,384 cells wide and add a million rows."""
    from openpyxl import load_workbook

    _check_archive(data, max_unpacked_bytes=max_unpacked_bytes)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _PARSE_ERRORS as exc:
        raise UnreadableFile(
            f"Berkas XLSX rusak atau tidak valid ({type(exc).__name__})."
        ) from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("Berkas XLSX tidak berisi lembar kerja.")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), 1):
            if number > max_scanned:
                raise UnreadableFile(
                    f"Lembar kerja berlanjut melewati baris {max_scanned:,}. Hapus baris kosong "
                    "di bawah data, atau bagi menjadi beberapa berkas.".replace(",", ".")
                )
            yield list(row)
    except UnreadableFile:
        raise
    except _PARSE_ERRORS as exc:
        raise UnreadableFile(
            f"Lembar kerja dalam berkas XLSX rusak dan tidak dapat dibaca ({type(exc).__name__})."
        ) from None
    finally:
        workbook.close()


def read_sheet(
    data: bytes, filename: str, *, max_rows: int, max_unpacked_bytes: int = 25 * 1024 * 1024
) -> Sheet:
    if not data:
        raise UnreadableFile("Berkas kosong.")
    name = filename.lower()
    is_xlsx = data[:4] == b"PK\x03\x04"
    raw: Iterator[list[object]]
    if name.endswith(".xlsx") or is_xlsx:
        if not is_xlsx:
            raise UnreadableFile("Berkas berekstensi .xlsx tetapi isinya bukan XLSX.")
        raw = _xlsx_rows(
            data,
            max_unpacked_bytes=max_unpacked_bytes,
            max_scanned=max_rows + BLANK_ROW_ALLOWANCE,
        )
    elif name.endswith(".xls"):
        raise UnreadableFile(
            "Format .xls (Excel 97–2003) tidak didukung. Simpan ulang sebagai .xlsx atau .csv."
        )
    else:
        raw = iter([list(r) for r in _csv_rows(data)])
    try:
        return _sheet(raw, max_rows=max_rows)
    finally:
        close = getattr(raw, "close", None)
        if close is not None:
            close()  # a streamed workbook is closed even when reading stops early


def _sheet(raw: Iterator[list[object]], *, max_rows: int) -> Sheet:
    # Skip leading blank lines; the header is the first non-empty row.
    header: list[object] | None = None
    header_number = 0
    for header_number, values in enumerate(raw, 1):  # noqa: B007 - used after the loop
        if any(str(c or "").strip() for c in values):
            header = values
            break
    if header is None:
        raise UnreadableFile("Berkas tidak berisi data.")
    columns = [_normalise_header(c)[:100] for c in header]
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
    for offset, values in enumerate(raw, start=header_number + 1):
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
