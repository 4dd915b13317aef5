"""Admin page: who teaches which course (besides `trainers` in course.yaml), as the CLI's
`cakap courses assign-trainer` does; audited with the admin as actor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import AdminUser, verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.templating import redirect, render
from app.courses import teaching

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/admin",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


def _page(
    request: Request,
    db: ReadSession,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "admin/trainers.html",
        {
            "rows": teaching.all_course_trainers(db),
            "error": error,
            "form": form or {},
        },
        status_code=422 if error else 200,
    )


@router.get("/trainers", response_class=HTMLResponse)
def trainers(request: Request, db: ReadSession, user: AdminUser) -> Response:
    return _page(request, db)


@router.post("/trainers", response_class=HTMLResponse)
def assign(
    request: Request,
    db: WriteSession,
    user: AdminUser,
    course: Annotated[str, Form(max_length=80)] = "",
    nip: Annotated[str, Form(max_length=40)] = "",
    remove: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    try:
        found, person = teaching.course_and_trainer(db, slug=course, nip=nip)
        teaching.assign_trainer(db, course=found, user=person, actor=user, remove=bool(remove))
    except AppError as exc:
        return _page(request, db, error=exc.message, form={"course": course, "nip": nip})
    verb = "dilepas dari" if remove else "ditetapkan sebagai pengajar"
    return redirect("/admin/trainers", flash=f"{person.name} {verb} kursus {found.slug}.")
