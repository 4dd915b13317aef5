"""Admin forms on a user's page: transfer to another instansi (*mutasi*) and the unit subtree
an HR role is narrowed to (rules in app/staff/placement.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import AdminUser, verify_csrf
from app.admin.deps import ManagedUser
from app.admin.user_page import render_user
from app.core.db import TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.templating import redirect
from app.staff import placement

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/admin",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


def _id(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@router.post("/users/{user_id}/transfer", response_class=HTMLResponse)
def user_transfer(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    managed: ManagedUser,
    instansi: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "",
) -> Response:
    try:
        placement.transfer(
            db, person=managed, instansi_id=_id(instansi), unit_id=_id(unit), actor=admin
        )
    except AppError as exc:
        return render_user(request, db, managed, error=exc.message, status_code=exc.status_code)
    return redirect(
        f"/admin/users/{managed.id}",
        flash=f"{managed.name} dipindahkan ke {managed.instansi.name if managed.instansi else ''}.",
    )


@router.post("/users/{user_id}/hr-unit", response_class=HTMLResponse)
def user_hr_unit(
    db: WriteSession,
    request: Request,
    admin: AdminUser,
    managed: ManagedUser,
    unit: Annotated[str, Form()] = "",
) -> Response:
    try:
        placement.set_hr_unit(db, user=managed, unit_id=_id(unit), actor=admin)
    except AppError as exc:
        return render_user(request, db, managed, error=exc.message, status_code=exc.status_code)
    return redirect(f"/admin/users/{managed.id}", flash="Lingkup peran BKPSDM diperbarui.")
