"""Every query of the staff directory: the people list (one statement per page, the year's JP
summed in a grouped subquery) and what a person page shows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import Instansi, JpEntry, Role, Unit, User, UserRole

JP_TARGET = 20


@dataclass(frozen=True)
class PeopleQuery:
    """A filter already resolved to SQL terms (app/staff/service.py builds it)."""

    scope: ColumnElement[bool]
    year: int
    today: date
    name: str | None = None  # a lower-case fragment of the name
    nip: str | None = None  # digits of a NIP, whole or part (a start, a middle)
    unit_ids: Collection[int] | None = None
    jenis_asn: str | None = None
    golongan: str | None = None
    jenis_jabatan: str | None = None
    jp_met: bool | None = None
    include_inactive: bool = False


@dataclass(frozen=True)
class PersonRow:
    id: int
    nip: str | None
    name: str
    jenis_asn: str | None
    golongan: str | None
    jenis_jabatan: str | None
    jabatan: str | None
    is_active: bool
    retired_on: date | None
    unit_code: str | None
    unit_name: str | None
    jp: int


def _is_staff_member() -> ColumnElement[bool]:
    """ASN (a NIP) or a learner: not the operators' accounts (an admin with only an e-mail)."""
    return or_(User.nip.is_not(None), User.roles.any(UserRole.role == Role.learner))


def _filtered(query: PeopleQuery) -> Select[tuple[int, ...]]:
    ledger = (
        select(JpEntry.user_id, func.sum(JpEntry.jp).label("jp"))
        .where(JpEntry.year == query.year)
        .group_by(JpEntry.user_id)
        .subquery("ledger")
    )
    jp = func.coalesce(ledger.c.jp, 0).label("jp")
    stmt = (
        select(
            User.id,
            User.nip,
            User.name,
            User.jenis_asn,
            User.golongan,
            User.jenis_jabatan,
            User.jabatan,
            User.is_active,
            User.retired_on,
            Unit.code,
            Unit.name,
            jp,
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(ledger, ledger.c.user_id == User.id)
        .where(query.scope, _is_staff_member())
    )
    if query.name:
        stmt = stmt.where(func.lower(User.name).contains(query.name, autoescape=True))
    if query.nip:
        stmt = stmt.where(User.nip.contains(query.nip, autoescape=True))
    if query.unit_ids is not None:
        stmt = stmt.where(User.unit_id.in_(sorted(query.unit_ids)))
    if query.jenis_asn:
        stmt = stmt.where(User.jenis_asn == query.jenis_asn)
    if query.golongan:
        stmt = stmt.where(User.golongan == query.golongan)
    if query.jenis_jabatan:
        stmt = stmt.where(User.jenis_jabatan == query.jenis_jabatan)
    if query.jp_met is not None:
        stmt = stmt.where(jp >= JP_TARGET if query.jp_met else jp < JP_TARGET)
    if not query.include_inactive:
        stmt = stmt.where(
            User.is_active.is_(True),
            or_(User.retired_on.is_(None), User.retired_on > query.today),
        )
    return stmt


def people_page(
    session: Session, *, query: PeopleQuery, page: int, per_page: int
) -> tuple[list[PersonRow], int]:
    """One page of people and how many match in all: two statements, whatever the page size."""
    stmt = _filtered(query)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(
        stmt.order_by(func.lower(User.name), User.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [PersonRow(*row) for row in rows], total


def person(session: Session, person_id: int) -> User | None:
    stmt = (
        select(User)
        .options(joinedload(User.unit), joinedload(User.instansi))
        .where(User.id == person_id)
    )
    return session.scalars(stmt).first()


def jp_years(session: Session, *, user_id: int) -> list[int]:
    stmt = select(JpEntry.year).where(JpEntry.user_id == user_id).distinct()
    return sorted(session.scalars(stmt))


def units_in(session: Session, *, instansi_ids: Collection[int] | None) -> list[Unit]:
    """Units of these instansi (None: of every instansi), in code order."""
    stmt = select(Unit).options(joinedload(Unit.instansi)).order_by(Unit.instansi_id, Unit.code)
    if instansi_ids is not None:
        stmt = stmt.where(Unit.instansi_id.in_(sorted(instansi_ids)))
    return list(session.scalars(stmt))


def units_by_code(session: Session, *, code: str, instansi_id: int | None) -> list[Unit]:
    stmt = select(Unit).where(Unit.code == code)
    if instansi_id is not None:
        stmt = stmt.where(Unit.instansi_id == instansi_id)
    return list(session.scalars(stmt))


def unit(session: Session, unit_id: int) -> Unit | None:
    return session.get(Unit, unit_id)


def instansi(session: Session, instansi_id: int) -> Instansi | None:
    return session.get(Instansi, instansi_id)


def all_instansi(session: Session) -> list[Instansi]:
    return list(session.scalars(select(Instansi).order_by(Instansi.name)))
