from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.models import AuditEvent


def page(
    session: Session, *, action: str | None, page: int, per_page: int = 50
) -> tuple[Sequence[AuditEvent], int]:
    stmt = select(AuditEvent)
    count = select(func.count()).select_from(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
        count = count.where(AuditEvent.action == action)
    stmt = (
        stmt.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return session.scalars(stmt).all(), session.scalar(count) or 0


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
