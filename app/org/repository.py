from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Instansi, Unit, User


def instansi_by_code(session: Session, code: str) -> Instansi | None:
    return session.scalars(select(Instansi).where(Instansi.code == code)).first()


def all_instansi(session: Session) -> list[Instansi]:
    return list(session.scalars(select(Instansi).order_by(Instansi.name)))


def units_of(session: Session, instansi_id: int) -> list[Unit]:
    stmt = select(Unit).where(Unit.instansi_id == instansi_id).order_by(Unit.code)
    return list(session.scalars(stmt))


def unit_by_code(session: Session, instansi_id: int, code: str) -> Unit | None:
    stmt = select(Unit).where(Unit.instansi_id == instansi_id, Unit.code == code)
    return session.scalars(stmt).first()


def member_counts(session: Session, instansi_id: int) -> dict[int, int]:
    stmt = (
        select(User.unit_id, func.count())
        .where(User.instansi_id == instansi_id, User.unit_id.is_not(None))
        .group_by(User.unit_id)
    )
    return {unit_id: count for unit_id, count in session.execute(stmt).all()}


def unit_parents(session: Session, instansi_id: int) -> dict[int, int | None]:
    """Every unit of the instansi with its parent: the tree, in one small query."""
    stmt = select(Unit.id, Unit.parent_id).where(Unit.instansi_id == instansi_id)
    return {unit_id: parent_id for unit_id, parent_id in session.execute(stmt).all()}


def units_by_code(session: Session, code: str) -> list[Unit]:
    """Units of every instansi with this code (codes are unique within an instansi only)."""
    return list(session.scalars(select(Unit).where(Unit.code == code).limit(2)))
