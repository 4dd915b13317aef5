"""`/api/v1/assignments` (HR, admin) and `/api/v1/me/assignments` (learner)."""

from __future__ import annotations

from fastapi import APIRouter

from app.accounts.deps import ApiHrUser, ApiUser
from app.assignments import progress, service
from app.assignments.schemas import (
    AssignmentCreatedOut,
    AssignmentIn,
    AssignmentOut,
    MyAssignmentOut,
)
from app.core.db import ReadSession, TransactionRoute, WriteSession

router = APIRouter(route_class=TransactionRoute, tags=["assignments"])


@router.post(
    "/assignments",
    status_code=201,
    response_model=AssignmentCreatedOut,
    responses={403: {}, 404: {}, 422: {}},
)
def create_assignment(
    body: AssignmentIn, db: WriteSession, user: ApiHrUser
) -> AssignmentCreatedOut:
    assignment = service.create(
        db,
        actor=user,
        course_slug=body.course,
        unit_codes=body.units,
        nips=body.people,
        due_on=body.due_on,
        start_on=body.start_on,
        jenis_asn=body.jenis_asn,
        jenis_jabatan=body.jenis_jabatan,
        golongan=body.golongan,
        instansi_code=body.instansi,
    )
    return AssignmentCreatedOut(
        id=assignment.id,
        course=assignment.course.slug,
        due_on=assignment.due_on,
        people=progress.people_count(db, viewer=user, assignment=assignment),
    )


@router.get("/assignments", response_model=list[AssignmentOut])
def list_assignments(db: ReadSession, user: ApiHrUser) -> list[AssignmentOut]:
    return [
        AssignmentOut(
            id=row.assignment.id,
            course=row.assignment.course.slug,
            title=row.title,
            instansi=row.assignment.instansi.code,
            start_on=row.assignment.start_on,
            due_on=row.assignment.due_on,
            status=row.assignment.status,
            people=row.progress.people,
            completed=row.progress.completed,
            in_progress=row.progress.in_progress,
            not_started=row.progress.not_started,
            overdue=row.progress.overdue,
        )
        for row in progress.overview(db, viewer=user)
    ]


@router.get("/me/assignments", response_model=list[MyAssignmentOut])
def my_assignments(db: ReadSession, user: ApiUser) -> list[MyAssignmentOut]:
    return [
        MyAssignmentOut(
            id=m.assignment.id,
            course=m.assignment.course.slug,
            due_on=m.assignment.due_on,
            status=m.status,
        )
        for m in progress.mine(db, user=user)
    ]
