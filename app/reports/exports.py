"""Export files, written from a streamed query into a temporary file and then sent from it.

Writing first and sending after means the database connection is held only while the rows are
read, never while a slow phone downloads, and the row count the audit log records is the
count actually written. Memory stays flat: the rows come BATCH at a time from a server-side
cursor, and a temporary file larger than a megabyte lives on disk."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

from starlette.responses import StreamingResponse

from app.asn.nip import grouped_nip
from app.core.csv_export import BOM, safe_cell

SPOOL = 1024 * 1024
CHUNK = 64 * 1024

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"
PDF = "application/pdf"


@dataclass(frozen=True)
class Column:
    name: str
    width: int = 12
    text: bool = False  # written as a text cell (NIP: 18 digits are not a number)


@dataclass
class Export:
    file: IO[bytes]
    media_type: str
    filename: str
    rows: int

    def response(self) -> StreamingResponse:
        headers = {"Cache-Control": "no-store"}
        if self.media_type != JSON:  # a file to save; JSON is the API's answer
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(self.filename)}"
        return StreamingResponse(_chunks(self.file), media_type=self.media_type, headers=headers)


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk
    finally:
        file.close()


class Counted:
    """Rows passed through, counted."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL)


def write_csv(columns: list[Column], rows: Iterable[Sequence[Any]]) -> tuple[IO[bytes], int]:
    """UTF-8 with a BOM, `;`-separated (what Excel expects where the decimal mark is a comma),
    one header row, formula-safe text cells (app/core/csv_export.py; numbers here are never
    negative, so only text can start a formula), NIPs grouped so that they stay text."""
    out = _spool()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write(BOM)
    writer.writerow([c.name for c in columns])
    as_text = [c.text for c in columns]
    count = 0
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(v, text) for v, text in zip(row, as_text, strict=False)])
        if count % 1000 == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))
    return out, count


def _csv_cell(value: Any, text: bool) -> Any:
    if not isinstance(value, str):
        return value
    # A NIP column is written grouped (asn.nip.grouped_nip): LibreOffice and Excel read 18
    # bare digits as a number and round it. The XLSX export keeps the digits in a text cell.
    return safe_cell(grouped_nip(value) if text else value)


def write_xlsx(
    columns: list[Column], rows: Iterable[Sequence[Any]], *, sheet: str, title: str | None = None
) -> tuple[IO[bytes], int]:
    """An XLSX written row by row (xlsxwriter's constant-memory mode): bold frozen header,
    column widths, NIPs as text cells."""
    import xlsxwriter

    out = _spool()
    workbook = xlsxwriter.Workbook(
        out, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    )
    if title:
        workbook.set_properties({"title": title, "author": "Cakap"})
    ws = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E3F0F4", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for i, column in enumerate(columns):
        ws.set_column(i, i, column.width, text if column.text else None)
        ws.write_string(0, i, column.name, bold)
    ws.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for i, (column, value) in enumerate(zip(columns, row, strict=True)):
            if value is None:
                continue
            if column.text or isinstance(value, str):
                ws.write_string(count, i, str(value), text if column.text else None)
            else:
                ws.write(count, i, value)
    ws.autofilter(0, 0, max(count, 1), len(columns) - 1)
    workbook.close()
    return out, count


def write_json(
    head: dict[str, Any],
    batches: Iterable[list[dict[str, Any]] | list[str]],
    tail: Callable[[], dict[str, Any]],
) -> tuple[IO[bytes], int]:
    """`{...head, "rows": [...], ...tail()}`: the rows streamed into the file a batch at a time
    (objects, or rows already encoded as JSON text), and what is known only once they are
    all read (a summary) written after them."""
    out = _spool()
    opening = json.dumps(head, ensure_ascii=False)[1:-1]
    out.write(("{" + (opening + ", " if opening else "") + '"rows": [').encode())
    count = 0
    for batch in batches:
        if not batch:
            continue
        if isinstance(batch[0], str):
            text = ",".join(batch)
        else:
            text = json.dumps(batch, ensure_ascii=False)[1:-1]
        out.write((("," if count else "") + text).encode())
        count += len(batch)
    closing = json.dumps(tail(), ensure_ascii=False)[1:-1]
    out.write(("]" + (", " + closing if closing else "") + "}").encode())
    return out, count
