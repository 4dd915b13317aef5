"""Instansi and the unit kerja tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.errors import Conflict, Invalid, NotFound
from app.models import Instansi, Unit, User
from app.org import repository

UNIT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


@dataclass
class UnitNode:
    unit: Unit
    members: int
    children: list[UnitNode] = field(default_factory=list)


def subtree_ids(session: Session, *, unit: Unit) -> frozenset[int]:
    """The unit and every unit under it, however deep."""
    children: dict[int | None, list[int]] = {}
    for unit_id, parent_id in repository.unit_parents(session, unit.instansi_id).items():
        children.setdefault(parent_id, []).append(unit_id)
    found: set[int] = set()
    stack = [unit.id]
    while stack:
        current = stack.pop()
        if current not in found:  # a cycle cannot occur, but must not hang either
            found.add(current)
            stack.extend(children.get(current, ()))
    return frozenset(found)


def get_instansi(session: Session, *, code: str) -> Instansi:
    found = repository.instansi_by_code(session, code)
    if found is None:
        raise NotFound(f"Instansi dengan kode {code} tidak ditemukan.")
    return found


def instansi_by_id(session: Session, instansi_id: int) -> Instansi:
    found = session.get(Instansi, instansi_id)
    if found is None:
        raise NotFound("Instansi tidak ditemukan.")
    return found


def default_instansi(session: Session) -> Instansi:
    """The only instansi, for commands that may leave it out."""
    rows = repository.all_instansi(session)
    if len(rows) != 1:
        raise Invalid(
            f"Sebutkan kode instansi (--instansi): terdapat {len(rows)} instansi di basis data."
        )
    return rows[0]


def create_instansi(session: Session, *, code: str, name: str, actor: User | None) -> Instansi:
    if repository.instansi_by_code(session, code):
        raise Conflict(f"Instansi dengan kode {code} sudah ada.")
    row = Instansi(code=code, name=name)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="instansi.create",
        object_type="instansi",
        object_id=code,
        instansi_id=row.id,
    )
    return row


UNIT_NAME_MAX = 200


def unit_problem(*, code: str, name: str) -> tuple[str, str] | None:
    """What is wrong with a unit's code or name, as (field, message); the one rule for the admin
    pages, the CLI and people imports."""
    if len(code) > 40 or not UNIT_CODE.fullmatch(code):
        return (
            "kode_unit",
            "Kode unit 1–40 karakter: huruf, angka, titik, garis bawah, atau tanda hubung.",
        )
    if not name:
        return "nama_unit", "Nama unit wajib diisi."
    if len(name) > UNIT_NAME_MAX:
        return "nama_unit", f"Nama unit maksimal {UNIT_NAME_MAX} karakter."
    return None


def unit_tree(session: Session, *, instansi: Instansi) -> list[UnitNode]:
    units = repository.units_of(session, instansi.id)
    counts = repository.member_counts(session, instansi.id)
    nodes = {u.id: UnitNode(u, counts.get(u.id, 0)) for u in units}
    roots: list[UnitNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def flatten(tree: list[UnitNode], depth: int = 0) -> list[tuple[int, UnitNode]]:
    out: list[tuple[int, UnitNode]] = []
    for node in tree:
        out.append((depth, node))
        out.extend(flatten(node.children, depth + 1))
    return out


def create_unit(
    session: Session,
    *,
    instansi: Instansi,
    code: str,
    name: str,
    parent_code: str | None,
    actor: User | None,
) -> Unit:
    code, name = (code or "").strip(), (name or "").strip()
    problem = unit_problem(code=code, name=name)
    if problem:
        raise Invalid(problem[1])
    if repository.unit_by_code(session, instansi.id, code):
        raise Conflict(f"Unit dengan kode {code} sudah ada.")
    parent = None
    if parent_code:
        parent = repository.unit_by_code(session, instansi.id, parent_code)
        if parent is None:
            raise Invalid(f"Unit induk {parent_code} tidak ditemukan.")
    unit = Unit(
        instansi_id=instansi.id, code=code, name=name, parent_id=parent.id if parent else None
    )
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unit.create",
        object_type="unit",
        object_id=code,
        instansi_id=instansi.id,
    )
    return unit


def unit_by_code(session: Session, *, instansi: Instansi, code: str) -> Unit:
    unit = repository.unit_by_code(session, instansi.id, code)
    if unit is None:
        raise NotFound(f"Unit {code} tidak ditemukan di {instansi.name}.")
    return unit
