"""HR pages: the people of her scope (`/hr/people`) and a person's page with its edits."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from app.accounts.deps import HrUser, verify_csrf
from app.asn.employment import GOLONGAN_PPPK, JENIS_ASN, JENIS_JABATAN, PANGKAT_PNS
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.errors import AppError
from app.core.params import PageNumber
from app.core.templating import redirect, render
from app.models import User
from app.staff import edits, service
from app.staff.deps import PagePerson

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/hr/people",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)

Year = Annotated[int | None, Query(ge=2000, le=2100)]
PRIVATE = {"Cache-Control": "private, no-store"}


@router.get("", response_class=HTMLResponse)
def people(
    request: Request,
    db: ReadSession,
    viewer: HrUser,
    q: str = "",
    unit: str = "",
    jenis_asn: str = "",
    golongan: str = "",
    jenis_jabatan: str = "",
    jp: str = "",
    include_inactive: str = "",
    page: PageNumber = 1,
) -> Response:
    wanted = service.PeopleFilter(
        q=q[:200],
        unit=unit[:40],
        jenis_asn=jenis_asn[:8],
        golongan=golongan[:8],
        jenis_jabatan=jenis_jabatan[:20],
        jp=jp[:10],
        include_inactive=include_inactive == "1",
    )
    context: dict[str, object] = {
        "filter": wanted,
        "choices": service.filter_choices(db, viewer=viewer),
        "golongan_choices": [*PANGKAT_PNS, *GOLONGAN_PPPK],
        "query_string": urlencode(wanted.as_query()),
    }
    try:
        found = service.list_people(db, viewer=viewer, filter=wanted, page=page)
    except AppError as exc:
        return render(
            request,
            "staff/people.html",
            {**context, "error": exc.message, "result": None},
            status_code=422,
        )
    return render(request, "staff/people.html", {**context, "result": found}, status_code=200)


def _person_page(
    request: Request,
    db: Session,
    viewer: User,
    person: User,
    *,
    year: int | None = None,
    error: str | None = None,
    temporary: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    record = service.person_record(db, person=person, viewer=viewer, year=year)
    response = render(
        request,
        "staff/person.html",
        {
            "r": record,
            "error": error,
            "temporary": temporary,
            "form": form,
            "jenis_asn_choices": JENIS_ASN,
            "jenis_jabatan_choices": JENIS_JABATAN,
            "golongan_choices": [*PANGKAT_PNS, *GOLONGAN_PPPK],
            "status_labels": service.STATUS_LABELS,
        },
        status_code=status_code,
    )
    response.headers.update(PRIVATE)  # personal data, and maybe a first-login code
    return response


@router.get("/{user_id}", response_class=HTMLResponse)
def person_page(
    request: Request, person: PagePerson, viewer: HrUser, db: WriteSession, year: Year = None
) -> Response:
    """A person's page; every view is audited, so the route writes."""
    return _person_page(request, db, viewer, person, year=year)


def _done(person: User, message: str) -> Response:
    return redirect(f"/hr/people/{person.id}", flash=message)


@router.post("/{user_id}/employment", response_class=HTMLResponse)
def person_employment(
    request: Request,
    person: PagePerson,
    viewer: HrUser,
    db: WriteSession,
    jenis_asn: Annotated[str, Form()] = "",
    golongan: Annotated[str, Form()] = "",
    jenis_jabatan: Annotated[str, Form()] = "",
    jabatan: Annotated[str, Form()] = "",
) -> Response:
    try:
        edits.update_employment(
            db,
            person=person,
            actor=viewer,
            jenis_asn=jenis_asn[:8],
            golongan=golongan[:10],
            jenis_jabatan=jenis_jabatan[:20],
            jabatan=jabatan[:400],
        )
    except AppError as exc:
        typed = {
            "jenis_asn": jenis_asn,
            "golongan": golongan,
            "jenis_jabatan": jenis_jabatan,
            "jabatan": jabatan,
        }
        return _failed(request, db, viewer, person, exc, form=typed)
    return _done(person, "Data kepegawaian disimpan.")


@router.post("/{user_id}/unit", response_class=HTMLResponse)
def person_unit(
    request: Request,
    person: PagePerson,
    viewer: HrUser,
    db: WriteSession,
    unit: Annotated[str, Form()] = "",
) -> Response:
    try:
        unit_id = int(unit) if unit.isdigit() and len(unit) < 10 else None
        edits.move_to_unit(db, person=person, actor=viewer, unit_id=unit_id)
    except AppError as exc:
        return _failed(request, db, viewer, person, exc)
    return _done(person, "Unit kerja diperbarui.")


@router.post("/{user_id}/active", response_class=HTMLResponse)
def person_active(
    request: Request,
    person: PagePerson,
    viewer: HrUser,
    db: WriteSession,
    active: Annotated[str, Form()] = "0",
) -> Response:
    try:
        edits.set_active(db, person=person, actor=viewer, active=active == "1")
    except AppError as exc:
        return _failed(request, db, viewer, person, exc)
    return _done(
        person, "Akun diaktifkan." if active == "1" else "Akun dinonaktifkan; sesinya berakhir."
    )


@router.post("/{user_id}/retired", response_class=HTMLResponse)
def person_retired(
    request: Request,
    person: PagePerson,
    viewer: HrUser,
    db: WriteSession,
    retired_on: Annotated[str, Form()] = "",
    undo: Annotated[str, Form()] = "",
) -> Response:
    try:
        if undo == "1":
            edits.clear_retired(db, person=person, actor=viewer)
        else:
            edits.set_retired(db, person=person, actor=viewer, on=retired_on[:20])
    except AppError as exc:
        return _failed(request, db, viewer, person, exc)
    return _done(person, "Status pensiun dibatalkan." if undo == "1" else "Status pensiun dicatat.")


@router.post("/{user_id}/password", response_class=HTMLResponse)
def person_password(
    request: Request, person: PagePerson, viewer: HrUser, db: WriteSession
) -> Response:
    """The new first-login code is shown on this response only, never stored in clear."""
    try:
        code = edits.reset_password(db, person=person, actor=viewer)
    except AppError as exc:
        return _failed(request, db, viewer, person, exc)
    return _person_page(request, db, viewer, person, temporary=code)


def _failed(
    request: Request,
    db: Session,
    viewer: User,
    person: User,
    exc: AppError,
    *,
    form: dict[str, str] | None = None,
) -> Response:
    """The page again with the reason (and what was typed); nothing of the request commits
    (status ≥ 400)."""
    return _person_page(
        request, db, viewer, person, error=exc.message, form=form, status_code=exc.status_code
    )
