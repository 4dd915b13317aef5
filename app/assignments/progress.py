"""What HR and learners see of assignments: progress per assignment, its people with their
status, and a learner's own assignments. The rules (who may see what) are in service.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.assignments import repository
from app.assignments.service import (
    STATUS_LABELS,
    may_manage,
    status_of,
    title_of,
    today_in,
)
from app.models import Assignment, User


@dataclass
class Progress:
    people: int = 0
    completed: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0

    def percent(self, part: int) -> int:
        return round(100 * part / self.people) if self.people else 0


@dataclass
class AssignmentRow:
    assignment: Assignment
    title: str
    progress: Progress
    today: date
    can_manage: bool

    @property
    def is_past_due(self) -> bool:
        return self.today > self.assignment.due_on


def _progress(counted: tuple[int, int, int] | None, *, past_due: bool) -> Progress:
    people, completed, started = counted or (0, 0, 0)
    if past_due:
        return Progress(people, completed, 0, 0, people - completed)
    return Progress(people, completed, started, people - completed - started, 0)


def overview(session: Session, *, viewer: User) -> list[AssignmentRow]:
    """Every assignment the viewer may see, with progress among the people in her scope."""
    scope = accounts.scope_of(session, viewer)
    if scope.nobody:
        return []
    rows = repository.of_instansi(
        session, instansi_id=None if scope.everyone else scope.instansi_id
    )
    counted = repository.counts(session, assignment_ids=[a.id for a in rows], people=scope.people())
    out = []
    for a in rows:
        today = today_in(a.instansi)
        past_due = a.status == "active" and today > a.due_on
        out.append(
            AssignmentRow(
                a,
                title_of(a),
                _progress(counted.get(a.id), past_due=past_due),
                today,
                may_manage(viewer, scope, a),
            )
        )
    return out


def detail(
    session: Session, *, viewer: User, assignment: Assignment
) -> tuple[AssignmentRow, list[tuple[User, str]]]:
    """One assignment's progress and its people (in the viewer's scope) with their status."""
    scope = accounts.scope_of(session, viewer)
    today = today_in(assignment.instansi)
    people = repository.people_of(session, assignment=assignment, people=scope.people())
    statuses = [(u, status_of(e, due_on=assignment.due_on, today=today)) for u, e in people]
    progress = Progress(people=len(statuses))
    for _, s in statuses:
        setattr(progress, s, getattr(progress, s) + 1)
    row = AssignmentRow(
        assignment, title_of(assignment), progress, today, may_manage(viewer, scope, assignment)
    )
    return row, statuses


def people_count(session: Session, *, viewer: User, assignment: Assignment) -> int:
    """Everyone the assignment targets within the viewer's scope, completed included."""
    scope = accounts.scope_of(session, viewer)
    counted = repository.counts(session, assignment_ids=[assignment.id], people=scope.people())
    return counted.get(assignment.id, (0, 0, 0))[0]


@dataclass
class MyAssignment:
    assignment: Assignment
    title: str
    status: str

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def mine(session: Session, *, user: User) -> list[MyAssignment]:
    """The learner's active assignments, earliest deadline first, with her status."""
    today = today_in(user.instansi)
    return [
        MyAssignment(a, title_of(a), status_of(e, due_on=a.due_on, today=today))
        for a, e in repository.of_person(session, user=user, today=today)
    ]
