from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.models import AuditEvent, User


@dataclass(frozen=True)
class Filter:
    action: str | None = None
    actor: str | None = None  # part of a name, a NIP or an e-mail address
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def _filtered(stmt: Select, f: Filter) -> Select:
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.since is not None:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEvent.at < f.until)
    if f.actor:
        like = f"%{f.actor.lower()}%"
        actors = select(User.id).where(
            or_(
                func.lower(User.name).like(like),
                User.nip.like(like),
                func.lower(User.email).like(like),
            )
        )
        stmt = stmt.where(AuditEvent.actor_id.in_(actors))
    return stmt


def page(
    session: Session, *, filter: Filter, page: int, per_page: int = 50
) -> tuple[Sequence[AuditEvent], int]:
    count = _filtered(select(func.count()).select_from(AuditEvent), filter)
    stmt = (
        _filtered(select(AuditEvent), filter)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return session.scalars(stmt).all(), session.scalar(count) or 0


def rows(session: Session, *, filter: Filter, limit: int) -> Sequence[AuditEvent]:
    stmt = (
        _filtered(select(AuditEvent), filter)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return session.scalars(stmt).all()


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def user_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    result = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {row[0]: row[1] for row in result}
