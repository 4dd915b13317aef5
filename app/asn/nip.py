"""NIP (PNS) and NI PPPK: normalisation and validation, exactly as PRODUCT.md §2.

The one function every entry point uses (login, account creation, import, CLI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.core.text import is_ascii_digits

_SEPARATORS = re.compile(r"[\s.\-_/]+")


class InvalidNip(ValueError):
    """A NIP that breaks a rule; `part` names the part that is wrong."""

    def __init__(self, message: str, part: str) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


@dataclass(frozen=True)
class NipInfo:
    number: str
    kind: str  # "PNS" or "PPPK"
    birth_date: date
    appointment_year: int
    appointment_month: int | None  # None for NI PPPK: digits 13–14 are a code, not a month
    gender: str  # "L" or "P"
    sequence: int


def normalise_nip(raw: str) -> str:
    """Strip the spaces, dots and dashes people type inside NIPs."""
    return _SEPARATORS.sub("", raw or "")


def looks_like_nip(raw: str) -> bool:
    return is_ascii_digits(normalise_nip(raw))


def validate_nip(raw: str, *, kind: str = "PNS", today: date | None = None) -> NipInfo:
    """Validate a NIP (`kind="PNS"`, also CPNS) or NI PPPK (`kind="PPPK"`).

    Raises InvalidNip with an Indonesian message naming the wrong part.
    """
    today = today or date.today()
    kind = "PPPK" if (kind or "").upper() == "PPPK" else "PNS"
    label = "NI PPPK" if kind == "PPPK" else "NIP"
    number = normalise_nip(raw)
    if not number:
        raise InvalidNip(f"{label} wajib diisi.", "nip")
    if not is_ascii_digits(number):
        raise InvalidNip(f"{label} hanya boleh berisi angka.", "nip")
    if len(number) != 18:
        raise InvalidNip(f"{label} harus 18 digit (diberikan {len(number)} digit).", "panjang")

    by, bm, bd = int(number[0:4]), int(number[4:6]), int(number[6:8])
    try:
        birth = date(by, bm, bd)
    except ValueError:
        raise InvalidNip(
            f"tanggal lahir {number[0:4]}-{number[4:6]}-{number[6:8]} tidak valid.", "tanggal_lahir"
        ) from None
    if birth > today:
        raise InvalidNip(
            f"tanggal lahir {birth.isoformat()} berada di masa depan.", "tanggal_lahir"
        )

    year = int(number[8:12])
    month: int | None
    if kind == "PNS":
        month = int(number[12:14])
        if not 1 <= month <= 12:
            raise InvalidNip(f"bulan TMT CPNS {number[12:14]} tidak valid (harus 01–12).", "tmt")
        tmt = f"{year:04d}-{month:02d}"
        if (year, month) > (today.year, today.month):
            raise InvalidNip(f"TMT CPNS {tmt} berada di masa depan.", "tmt")
        if (year, month) < (birth.year + 18, birth.month):
            raise InvalidNip(
                f"TMT CPNS {tmt} kurang dari 18 tahun setelah tanggal lahir {birth.isoformat()}.",
                "tmt",
            )
    else:
        month = None
        if year > today.year:
            raise InvalidNip(f"tahun pengangkatan PPPK {year} berada di masa depan.", "tmt")
        if year < birth.year + 18:
            raise InvalidNip(
                f"tahun pengangkatan PPPK {year} kurang dari 18 tahun setelah tanggal lahir "
                f"{birth.isoformat()}.",
                "tmt",
            )

    gender_digit = number[14]
    if gender_digit not in ("1", "2"):
        raise InvalidNip(
            f"kode jenis kelamin harus 1 atau 2 (diberikan {gender_digit}).", "jenis_kelamin"
        )
    sequence = int(number[15:18])
    if sequence == 0:
        raise InvalidNip("nomor urut tidak boleh 000.", "nomor_urut")

    return NipInfo(
        number=number,
        kind=kind,
        birth_date=birth,
        appointment_year=year,
        appointment_month=month,
        gender="L" if gender_digit == "1" else "P",
        sequence=sequence,
    )


def mask_nip(number: str) -> str:
    """`198503122010011002` → `198503**********02`: what a verification page may show."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 8) + number[-2:]


def grouped_nip(number: str) -> str:
    """`198503142015032001` → `19850314 201503 2 001`, the way NIPs are printed on official
    documents (birth date, appointment or PPPK year and code, gender, sequence). A CSV cell in
    this form stays text in a spreadsheet; 18 bare digits become a number and lose the last
    three. Anything that is not 18 ASCII digits is returned as it is."""
    if len(number) != 18 or not number.isascii() or not number.isdigit():
        return number
    return f"{number[:8]} {number[8:14]} {number[14]} {number[15:]}"
