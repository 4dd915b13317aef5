"""The admin's page of one user, rendered from several routes (roles, status, password,
transfer, HR scope): one place that knows what it shows."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.core.templating import render
from app.models import Role, User
from app.staff import placement

ROLE_LABELS = {
    "learner": "Peserta",
    "trainer": "Widyaiswara",
    "hr": "BKPSDM (HR)",
    "admin": "Admin",
}


def render_user(
    request: Request, db: Session, managed: User, *, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    hr_role = next((r for r in managed.roles if r.role == Role.hr), None)
    return render(
        request,
        "admin/user_detail.html",
        {
            "managed": managed,
            "role_labels": ROLE_LABELS,
            "transfer_choices": placement.transfer_choices(db),
            "hr_role": hr_role,
            "hr_units": placement.hr_unit_choices(db, user=managed) if hr_role else [],
            **extra,
        },
        status_code=status_code,
    )
