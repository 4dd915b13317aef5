"""HR pages: assignments with their progress, a form to make one, extend and withdraw.
And the learner's side: marking a notice read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser, verify_csrf
from app.assignments import progress, service
from app.assignments.deps import PageAssignment, PageNotice
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.templating import redirect, render
from app.models import Assignment, User

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)

JENIS_ASN = ("PNS", "CPNS", "PPPK")


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


@router.get("/hr/assignments", response_class=HTMLResponse)
def assignments(request: Request, db: ReadSession, user: HrUser) -> Response:
    return render(request, "assignments/list.html", {"rows": progress.overview(db, viewer=user)})


def _form_page(
    request: Request,
    db: ReadSession,
    user: User,
    *,
    form: dict[str, object],
    error: str | None = None,
    field: str | None = None,
    status_code: int = 200,
) -> Response:
    choices = service.form_choices(db, viewer=user, instansi_code=str(form.get("instansi") or ""))
    from app.asn.employment import JENIS_JABATAN

    return render(
        request,
        "assignments/new.html",
        {
            "choices": choices,
            "form": form,
            "error": error,
            "field": field,
            "jenis_asn": JENIS_ASN,
            "jenis_jabatan": JENIS_JABATAN,
            "today": service.today_in(choices.instansi),
        },
        status_code=status_code,
    )


@router.get("/hr/assignments/new", response_class=HTMLResponse)
def new_assignment(
    request: Request, db: ReadSession, user: HrUser, instansi: str | None = None
) -> Response:
    return _form_page(request, db, user, form={"instansi": (instansi or "")[:20]})


@router.post("/hr/assignments", response_class=HTMLResponse)
def create_assignment(
    request: Request,
    db: WriteSession,
    user: HrUser,
    course: Annotated[str, Form(max_length=80)] = "",
    units: Annotated[list[str] | None, Form()] = None,
    people: Annotated[str, Form(max_length=20000)] = "",
    jenis_asn: Annotated[str, Form(max_length=8)] = "",
    jenis_jabatan: Annotated[str, Form(max_length=20)] = "",
    golongan: Annotated[str, Form(max_length=8)] = "",
    start_on: Annotated[str, Form(max_length=20)] = "",
    due_on: Annotated[str, Form(max_length=20)] = "",
    instansi: Annotated[str, Form(max_length=20)] = "",
    run: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    form: dict[str, object] = {
        "run": run,
        "course": course,
        "units": units or [],
        "people": people,
        "jenis_asn": jenis_asn,
        "jenis_jabatan": jenis_jabatan,
        "golongan": golongan,
        "start_on": start_on,
        "due_on": due_on,
        "instansi": instansi,
    }
    if start_on.strip() and _date(start_on) is None:
        error: tuple[str, str] | None = ("start_on", "Tanggal mulai tidak valid.")
    elif due_on.strip() and _date(due_on) is None:
        error = ("due_on", "Tenggat tidak valid.")
    else:
        error = None
    if error is None:
        try:
            assignment = service.create(
                db,
                actor=user,
                course_slug=course,
                unit_codes=(units or [])[: service.MAX_TARGETS + 1],
                nips=service.parse_nips(people),
                due_on=_date(due_on),
                start_on=_date(start_on),
                jenis_asn=jenis_asn,
                jenis_jabatan=jenis_jabatan,
                golongan=golongan,
                instansi_code=instansi or None,
                run_id=int(run) if run.isascii() and run.isdigit() and len(run) < 10 else None,
            )
        except service.TargetError as exc:
            error = (exc.field, exc.message)
        else:
            return redirect(
                f"/hr/assignments/{assignment.id}", flash="Penugasan dibuat; peserta diberi tahu."
            )
    return _form_page(request, db, user, form=form, error=error[1], field=error[0], status_code=422)


def _detail(
    request: Request,
    db: ReadSession,
    user: User,
    assignment: Assignment,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    row, people = progress.detail(db, viewer=user, assignment=assignment)
    return render(
        request,
        "assignments/detail.html",
        {"row": row, "people": people, "labels": service.STATUS_LABELS, "error": error},
        status_code=status_code,
    )


@router.get("/hr/assignments/{assignment_id}", response_class=HTMLResponse)
def assignment_detail(
    request: Request, db: ReadSession, user: HrUser, assignment: PageAssignment
) -> Response:
    return _detail(request, db, user, assignment)


@router.post("/hr/assignments/{assignment_id}/extend", response_class=HTMLResponse)
def extend(
    request: Request,
    assignment: PageAssignment,
    db: WriteSession,
    user: HrUser,
    due_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    try:
        service.extend(db, actor=user, assignment=assignment, due_on=_date(due_on))
    except service.TargetError as exc:
        return _detail(request, db, user, assignment, error=exc.message, status_code=422)
    return redirect(f"/hr/assignments/{assignment.id}", flash="Tenggat diperpanjang.")


@router.post("/hr/assignments/{assignment_id}/withdraw")
def withdraw(assignment: PageAssignment, db: WriteSession, user: HrUser) -> Response:
    service.withdraw(db, actor=user, assignment=assignment)
    return redirect(f"/hr/assignments/{assignment.id}", flash="Penugasan ditarik.")


@router.post("/notices/{notice_id}/read")
def read_notice(notice: PageNotice, db: WriteSession) -> Response:
    service.mark_read(db, notice=notice)
    return redirect("/#pemberitahuan")
