"""The audit log: privileged actions and exports of personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.models import AuditEvent, User


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    object_type: str | None = None,
    object_id: object = None,
    instansi_id: int | None = None,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        instansi_id=instansi_id,
        detail=detail or {},
        address=address,
    )
    session.add(event)
    session.flush()
    return event
