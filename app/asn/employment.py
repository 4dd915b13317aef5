"""Employment vocabulary of the Indonesian civil service."""

from __future__ import annotations

PANGKAT_PNS: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tk. I",
    "I/c": "Juru",
    "I/d": "Juru Tk. I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tk. I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tk. I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tk. I",
    "III/c": "Penata",
    "III/d": "Penata Tk. I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tk. I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}

GOLONGAN_PPPK: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX",
    "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
)  # fmt: skip

JENIS_JABATAN: dict[str, str] = {
    "jpt": "Jabatan Pimpinan Tinggi",
    "administrator": "Administrator",
    "pengawas": "Pengawas",
    "fungsional": "Fungsional",
    "pelaksana": "Pelaksana",
}

JENIS_ASN = ("PNS", "CPNS", "PPPK")


def normalise_golongan(raw: str, *, jenis_asn: str | None) -> str | None:
    """Canonical golongan (`III/d`, `IX`), or None when it is not valid for the jenis ASN."""
    value = (raw or "").strip().replace(" ", "").replace("\\", "/").replace("-", "/")
    if not value:
        return None
    if jenis_asn == "PPPK":
        value = value.upper()
        return value if value in GOLONGAN_PPPK else None
    if "/" in value:
        head, _, tail = value.partition("/")
        candidate = f"{head.upper()}/{tail.lower()}"
        return candidate if candidate in PANGKAT_PNS else None
    return None


def pangkat(golongan: str | None) -> str | None:
    return PANGKAT_PNS.get(golongan or "")


def pangkat_golongan(golongan: str | None) -> str:
    """`Penata Tk. I, III/d` for PNS; `IX` for PPPK (no pangkat)."""
    if not golongan:
        return ""
    name = pangkat(golongan)
    return f"{name}, {golongan}" if name else golongan
