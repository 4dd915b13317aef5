"""CSV downloads that a spreadsheet opens safely: UTF-8 with a BOM (Excel then reads the
accents right) and no cell that Excel or LibreOffice would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"
# A cell starting with one of these is a formula (or, for tab and carriage return, hides one)
# in Excel, LibreOffice and Google Sheets (OWASP: CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, prefixed with a single quote when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(rows: Iterable[Iterable[object]], *, delimiter: str = ";") -> Iterator[str]:
    """The document line by line, the BOM first: for a streamed response as for a string."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    yield BOM
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def csv_text(rows: Iterable[Iterable[object]], *, delimiter: str = ";") -> str:
    return "".join(csv_lines(rows, delimiter=delimiter))
