"""What the report pages show around the figures: the filter form's choices and the links that
keep the filters while changing one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from app.asn.employment import GOLONGAN_PPPK, JENIS_ASN, JENIS_JABATAN, PANGKAT_PNS
from app.org import repository as org_repository
from app.reports.selection import Selection
from app.reports.service import UnitContext


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class FormChoices:
    instansi: list[Choice]  # admins only; empty for HR
    units: list[Choice]
    jenis_asn: list[Choice]
    golongan: list[Choice]
    jenis_jabatan: list[Choice]


def choices(session: Session, *, selection: Selection, context: UnitContext) -> FormChoices:
    """The form's options: for HR her instansi's units within her scope; an admin picks an
    instansi first, then its units."""
    instansi = []
    if selection.scope.everyone:
        instansi = [
            Choice(i.code, f"{i.name} ({i.code})") for i in org_repository.all_instansi(session)
        ]
    units: list[Choice] = []
    if selection.instansi is not None:
        allowed = selection.scope.unit_ids
        rows = [u for u in context.units if u[1] == selection.instansi.id]
        rows = [u for u in rows if allowed is None or u[0] in allowed]
        children: dict[int | None, list[tuple[int, int, int | None, str, str]]] = {}
        ids = {u[0] for u in rows}
        for u in rows:
            children.setdefault(u[2] if u[2] in ids else None, []).append(u)

        def walk(parent: int | None, depth: int) -> None:
            for unit_id, _, _, code, name in children.get(parent, []):
                units.append(Choice(code, "\u2003" * depth + name))
                walk(unit_id, depth + 1)

        walk(None, 0)
    golongan = [Choice(g, f"{g} ({p})") for g, p in PANGKAT_PNS.items()]
    golongan += [Choice(g, f"{g} (PPPK)") for g in GOLONGAN_PPPK]
    return FormChoices(
        instansi=instansi,
        units=units,
        jenis_asn=[Choice(j, j) for j in JENIS_ASN],
        golongan=golongan,
        jenis_jabatan=[Choice(k, v) for k, v in JENIS_JABATAN.items()],
    )


def query(params: dict[str, Any], **changes: Any) -> str:
    """The query string of `params` with `changes` applied (None removes a key); empty values
    are left out so links stay short."""
    merged = {**params, **changes}
    # str() of a missing template value is "" too
    return urlencode({k: v for k, v in merged.items() if v is not None and str(v) != ""})
