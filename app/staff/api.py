"""`GET /api/v1/people` and `GET /api/v1/people/{id}`: what the HR pages show, as JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.accounts.deps import ApiHrUser
from app.asn.employment import pangkat
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.params import PageNumber
from app.staff import service
from app.staff.deps import ApiPerson
from app.staff.schemas import (
    CertificateOut,
    EnrolmentOut,
    JpEntryOut,
    PeopleOut,
    PersonItemOut,
    PersonOut,
    UnitOut,
)

router = APIRouter(route_class=TransactionRoute, tags=["people"])


@router.get("/people", response_model=PeopleOut, responses={403: {}, 422: {}})
def people(
    db: ReadSession,
    viewer: ApiHrUser,
    q: Annotated[str, Query(max_length=200)] = "",
    unit: Annotated[str, Query(max_length=40)] = "",
    jenis_asn: Annotated[str, Query(max_length=8)] = "",
    golongan: Annotated[str, Query(max_length=8)] = "",
    jenis_jabatan: Annotated[str, Query(max_length=20)] = "",
    jp: Annotated[str, Query(max_length=10, description="met | not_met")] = "",
    include_inactive: bool = False,
    page: PageNumber = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = service.PER_PAGE,
) -> PeopleOut:
    """People of the caller's scope (HR: her instansi or unit subtree; admin: everyone) with
    their JP of this year. `unit` is a unit code and means the unit and its sub-units;
    retired and deactivated people are left out unless `include_inactive=true`."""
    found = service.list_people(
        db,
        viewer=viewer,
        filter=service.PeopleFilter(
            q=q,
            unit=unit,
            jenis_asn=jenis_asn,
            golongan=golongan,
            jenis_jabatan=jenis_jabatan,
            jp=jp,
            include_inactive=include_inactive,
        ),
        page=page,
        per_page=per_page,
    )
    return PeopleOut(
        year=found.year,
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
        people=[
            PersonItemOut(
                id=i.row.id,
                nip=i.row.nip,
                name=i.row.name,
                unit=UnitOut(code=i.row.unit_code, name=i.row.unit_name or "")
                if i.row.unit_code
                else None,
                jenis_asn=i.row.jenis_asn,
                golongan=i.row.golongan,
                jenis_jabatan=i.row.jenis_jabatan,
                jabatan=i.row.jabatan,
                jp=i.row.jp,
                jp_met=i.jp_met,
                active=i.row.is_active,
                retired=i.status == "retired",
                retired_on=i.row.retired_on,
                status=i.status,
            )
            for i in found.items
        ],
    )


@router.get("/people/{user_id}", response_model=PersonOut, responses={403: {}, 404: {}})
def person(
    person: ApiPerson,
    viewer: ApiHrUser,
    db: WriteSession,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> PersonOut:
    """A person's record: employment data, enrolments with progress, the JP ledger of the
    year (this year by default) and certificates. Every call is audited (`person.view`)."""
    r = service.person_record(db, person=person, viewer=viewer, year=year)
    p = r.person
    return PersonOut(
        id=p.id,
        nip=p.nip,
        name=p.name,
        email=p.email,
        instansi=p.instansi.name if p.instansi else None,
        unit=UnitOut(code=p.unit.code, name=p.unit.name) if p.unit else None,
        jenis_asn=p.jenis_asn,
        golongan=p.golongan,
        pangkat=pangkat(p.golongan),
        jenis_jabatan=p.jenis_jabatan,
        jabatan=p.jabatan,
        status=r.status,
        active=p.is_active,
        retired_on=p.retired_on,
        roles=sorted(p.role_names),
        year=r.year,
        jp=r.jp_total,
        jp_cakap=r.jp_cakap,
        jp_external=r.jp_external,
        jp_met=r.jp_met,
        jp_ledger=[
            JpEntryOut(source=e.source, title=e.title, jp=e.jp, earned_on=e.earned_on)
            for e in r.ledger
        ],
        enrolments=[
            EnrolmentOut(
                course=e.enrollment.course.slug,
                title=e.enrollment.version.title,
                status=e.enrollment.status,
                percent=e.progress.percent,
                enrolled_at=e.enrollment.enrolled_at,
                completed_at=e.enrollment.completed_at,
            )
            for e in r.enrolments
        ],
        certificates=[
            CertificateOut(
                id=c.id,
                number=c.number,
                course=c.course.slug,
                jp=c.version.jp,
                issued_at=c.issued_at,
                status=c.status if c.sha256 or c.status == "revoked" else "pending",
                pdf=f"/api/v1/certificates/{c.id}/pdf",
            )
            for c in r.certificates
        ],
    )
