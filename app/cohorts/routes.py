"""HR pages for runs (*angkatan*): the instansi's runs, a form to make one, and enrolling
people of her scope into a run (POST → 303 → GET; an invalid form re-renders with 422)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import HrUser, verify_csrf
from app.cohorts import service
from app.cohorts.deps import HrRun
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.templating import redirect, render
from app.models import CourseRun, User

router = APIRouter(
    route_class=TransactionRoute, dependencies=[Depends(verify_csrf)], include_in_schema=False
)


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None


def _list_page(
    request: Request,
    db: ReadSession,
    user: User,
    *,
    form: dict[str, str],
    error: service.RunFormError | None = None,
) -> Response:
    return render(
        request,
        "cohorts/list.html",
        {
            "rows": service.runs_for_hr(db, viewer=user),
            "courses": service.course_choices(db),
            "form": form,
            "error": error.message if error else None,
            "field": error.field if error else None,
        },
        status_code=422 if error else 200,
    )


@router.get("/hr/runs", response_class=HTMLResponse)
def runs(request: Request, db: ReadSession, user: HrUser) -> Response:
    return _list_page(request, db, user, form={})


@router.post("/hr/runs", response_class=HTMLResponse)
def create_run(
    request: Request,
    db: WriteSession,
    user: HrUser,
    course: Annotated[str, Form(max_length=80)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    starts_on: Annotated[str, Form(max_length=20)] = "",
    ends_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    form = {"course": course, "name": name, "starts_on": starts_on, "ends_on": ends_on}
    try:
        if ends_on.strip() and _date(ends_on) is None:
            raise service.RunFormError("ends_on", "Tanggal selesai tidak valid.")
        run = service.create_run(
            db,
            actor=user,
            course_slug=course,
            name=name,
            starts_on=_date(starts_on),
            ends_on=_date(ends_on),
        )
    except service.RunFormError as exc:
        return _list_page(request, db, user, form=form, error=exc)
    return redirect(f"/hr/runs/{run.id}", flash="Angkatan dibuat. Daftarkan pesertanya di bawah.")


def _detail_page(
    request: Request,
    db: ReadSession,
    user: User,
    run: CourseRun,
    *,
    people: str = "",
    error: service.RunFormError | None = None,
) -> Response:
    return render(
        request,
        "cohorts/detail.html",
        {
            "run": run,
            "title": run.course.current_version.title if run.course.current_version else "",
            "members": service.members(db, viewer=user, run=run),
            "trainers": service.trainers(db, run=run),
            "people": people,
            "error": error.message if error else None,
            "error_field": error.field if error else None,
        },
        status_code=422 if error else 200,
    )


@router.get("/hr/runs/{run_id}", response_class=HTMLResponse)
def run_detail(request: Request, db: ReadSession, user: HrUser, run: HrRun) -> Response:
    return _detail_page(request, db, user, run)


@router.post("/hr/runs/{run_id}/people", response_class=HTMLResponse)
def enrol_people(
    request: Request,
    db: WriteSession,
    user: HrUser,
    run: HrRun,
    people: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    try:
        out = service.enrol_people(db, actor=user, run=run, nips_text=people)
    except service.RunFormError as exc:
        return _detail_page(request, db, user, run, people=people, error=exc)
    parts = [f"{len(out.enrolled)} didaftarkan"]
    if out.moved:
        parts.append(f"{len(out.moved)} dipindahkan dari angkatan lain")
    if out.already:
        parts.append(f"{len(out.already)} sudah di angkatan ini")
    if out.completed:
        parts.append(f"{len(out.completed)} sudah menyelesaikan kursus")
    if out.refused:
        parts.append("tidak diproses: " + "; ".join(out.refused[:5]))
    return redirect(f"/hr/runs/{run.id}", flash=", ".join(parts) + ".")


@router.post("/hr/runs/{run_id}/trainers", response_class=HTMLResponse)
def set_trainer(
    request: Request,
    db: WriteSession,
    user: HrUser,
    run: HrRun,
    nip: Annotated[str, Form(max_length=40)] = "",
    action: Annotated[Literal["add", "remove"], Form()] = "add",
) -> Response:
    try:
        person = service.set_trainer(db, actor=user, run=run, nip=nip, remove=action == "remove")
    except service.RunFormError as exc:
        return _detail_page(request, db, user, run, error=exc)
    done = "dihapus dari" if action == "remove" else "ditambahkan sebagai pengajar"
    return redirect(f"/hr/runs/{run.id}", flash=f"{person.name} {done} angkatan ini.")
