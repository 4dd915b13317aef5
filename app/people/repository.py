from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.models import ImportBatch, User


def users_by_nip(session: Session, nips: Iterable[str]) -> dict[str, User]:
    wanted = list(set(nips))
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        stmt = (
            select(User)
            .options(selectinload(User.roles))
            .where(User.nip.in_(wanted[start : start + 500]))
        )
        found.update({u.nip: u for u in session.scalars(stmt) if u.nip})
    return found


def user_ids_by_email(session: Session, emails: Iterable[str]) -> dict[str, int]:
    wanted = list({e.lower() for e in emails})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        stmt = select(func.lower(User.email), User.id).where(
            func.lower(User.email).in_(wanted[start : start + 500])
        )
        found.update({email: uid for email, uid in session.execute(stmt).all()})
    return found


def batch(session: Session, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)
