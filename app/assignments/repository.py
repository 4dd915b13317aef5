"""Every query of assignments. Who is assigned is resolved here, in SQL, from the targets.

Why at read time rather than a stored membership refreshed by a worker: the targets are few rows
(units, named people, a filter) and the resolution is one indexed join, so every page, the API,
the reminders and the reports see the same answer, and a person who joins a targeted unit (an
import, an admin edit, a transfer) is assigned the moment her row commits: no refresh job to
miss, lag or race, nothing to repair after a unit moves in the tree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload

from app.core import clock
from app.models import (
    Assignment,
    AssignmentPerson,
    AssignmentUnit,
    Course,
    Enrollment,
    Instansi,
    Notice,
    Role,
    Unit,
    User,
    UserRole,
)

ACTIVE = "active"
# The zones an instansi may have (models.org.Instansi.time_zone) and their Indonesian names.
TIME_ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def _eligible(today: date) -> ColumnElement[bool]:
    """People an assignment can reach: active learners not retired."""
    return and_(
        User.is_active.is_(True),
        or_(User.retired_on.is_(None), User.retired_on > today),
        exists().where(UserRole.user_id == User.id, UserRole.role == Role.learner),
    )


def _matches_filter() -> ColumnElement[bool]:
    return and_(
        or_(Assignment.filter_jenis_asn.is_(None), User.jenis_asn == Assignment.filter_jenis_asn),
        or_(
            Assignment.filter_jenis_jabatan.is_(None),
            User.jenis_jabatan == Assignment.filter_jenis_jabatan,
        ),
        or_(Assignment.filter_golongan.is_(None), User.golongan == Assignment.filter_golongan),
    )


def members(*, where: ColumnElement[bool] | None = None, today: date | None = None) -> Subquery:
    """`(assignment_id, user_id)` of everyone assigned: people of a targeted unit or of any
    unit under it, or of the whole instansi (`all_units`), who match the filter; plus the
    people named. `where` is a condition on `Assignment` (e.g. status, instansi, ids)."""
    today = today or clock.local_today()
    cond = where if where is not None else true()
    eligible = _eligible(today)
    seed = (
        select(AssignmentUnit.assignment_id, AssignmentUnit.unit_id)
        .join(Assignment, Assignment.id == AssignmentUnit.assignment_id)
        .where(cond)
        .cte("assigned_unit", recursive=True)
    )
    child = aliased(Unit)
    tree = seed.union(
        select(seed.c.assignment_id, child.id).join(child, child.parent_id == seed.c.unit_id)
    )
    by_unit = (
        select(tree.c.assignment_id, User.id.label("user_id"))
        .join(User, User.unit_id == tree.c.unit_id)
        .join(Assignment, Assignment.id == tree.c.assignment_id)
        .where(User.instansi_id == Assignment.instansi_id, _matches_filter(), eligible)
    )
    whole = (
        select(Assignment.id.label("assignment_id"), User.id.label("user_id"))
        .join(User, User.instansi_id == Assignment.instansi_id)
        .where(Assignment.all_units.is_(True), cond, _matches_filter(), eligible)
    )
    named = (
        select(AssignmentPerson.assignment_id, AssignmentPerson.user_id)
        .join(Assignment, Assignment.id == AssignmentPerson.assignment_id)
        .join(User, User.id == AssignmentPerson.user_id)
        .where(User.instansi_id == Assignment.instansi_id, cond, eligible)
    )
    return union(by_unit, whole, named).subquery("assignment_member")


def targets_by_person(
    *,
    people: ColumnElement[bool] | None = None,
    course_ids: Sequence[int] | None = None,
    today: date | None = None,
) -> Subquery:
    """For the reports: `(user_id, course_id, start_on, due_on)` for every person with at
    least one active, started assignment of the course; `start_on` and `due_on` are the
    earliest start and deadline among them.

    `people` is a WHERE clause on `User` (pass `scope.people()` from app/accounts/scope.py);
    `course_ids` narrows the courses. Join it on (user_id, course_id) with LEFT OUTER JOIN: a
    row means "assigned"; "overdue" is `due_on < today` (the instansi's today) and the
    enrolment not completed. One row per person and course, whatever the number of
    assignments, so counts over it need no DISTINCT."""
    today = today or clock.local_today()
    cond: list[ColumnElement[bool]] = [Assignment.status == ACTIVE, Assignment.start_on <= today]
    if course_ids is not None:
        cond.append(Assignment.course_id.in_(list(course_ids)))
    m = members(where=and_(*cond), today=today)
    stmt = (
        select(
            m.c.user_id.label("user_id"),
            Assignment.course_id.label("course_id"),
            func.min(Assignment.start_on).label("start_on"),
            func.min(Assignment.due_on).label("due_on"),
        )
        .join(Assignment, Assignment.id == m.c.assignment_id)
        .group_by(m.c.user_id, Assignment.course_id)
    )
    if people is not None:
        stmt = stmt.join(User, User.id == m.c.user_id).where(people)
    return stmt.subquery("assigned_course")


def today_by_zone(zone: ColumnElement[str] | InstrumentedAttribute[str]) -> ColumnElement[date]:
    """Today in the time zone held by `zone` (an instansi's `time_zone` column), as SQL: a
    deadline is past when the instansi's own date is after it, which in WIT comes two hours
    before WIB (Assignment.due_on is a date in the instansi's zone)."""
    now = clock.now()
    days = {name: now.astimezone(ZoneInfo(name)).date() for name in TIME_ZONES}
    wib = days.pop("Asia/Jakarta")
    return case(
        *((zone == name, literal(day, Date)) for name, day in days.items()),
        else_=literal(wib, Date),
    )


def _status_columns() -> tuple[Any, Any]:
    completed = case((Enrollment.status == "completed", 1), else_=0)
    started = case((and_(Enrollment.id.is_not(None), Enrollment.status != "completed"), 1), else_=0)
    return completed, started


def counts(
    session: Session, *, assignment_ids: Sequence[int], people: ColumnElement[bool]
) -> dict[int, tuple[int, int, int]]:
    """Per assignment: (people, completed, in progress) among the people in `people` (a
    clause on User: the viewer's scope). Not started = people − completed − in progress."""
    if not assignment_ids:
        return {}
    m = members(where=Assignment.id.in_(list(assignment_ids)))
    completed, started = _status_columns()
    stmt = (
        select(m.c.assignment_id, func.count(), func.sum(completed), func.sum(started))
        .join(User, User.id == m.c.user_id)
        .join(Assignment, Assignment.id == m.c.assignment_id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.user_id == m.c.user_id, Enrollment.course_id == Assignment.course_id),
        )
        .where(people)
        .group_by(m.c.assignment_id)
    )
    return {
        row[0]: (int(row[1]), int(row[2] or 0), int(row[3] or 0))
        for row in session.execute(stmt).all()
    }


def people_of(
    session: Session, *, assignment: Assignment, people: ColumnElement[bool]
) -> list[tuple[User, Enrollment | None]]:
    """The people of one assignment (within `people`) with their enrolment, by unit and name."""
    m = members(where=Assignment.id == assignment.id)
    stmt = (
        select(User, Enrollment)
        .join(m, m.c.user_id == User.id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.user_id == User.id, Enrollment.course_id == assignment.course_id),
        )
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(people)
        .options(joinedload(User.unit))
        .order_by(Unit.code, User.name)
    )
    return [(u, e) for u, e in session.execute(stmt).all()]


def of_instansi(session: Session, *, instansi_id: int | None) -> list[Assignment]:
    """Assignments of one instansi (None: every instansi), newest first."""
    stmt = (
        select(Assignment)
        .options(joinedload(Assignment.course).joinedload(Course.current_version))
        .options(joinedload(Assignment.instansi))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
    )
    if instansi_id is not None:
        stmt = stmt.where(Assignment.instansi_id == instansi_id)
    return list(session.scalars(stmt).unique())


def get(session: Session, assignment_id: int, *, for_update: bool = False) -> Assignment | None:
    stmt = (
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(joinedload(Assignment.course).joinedload(Course.current_version))
        .options(joinedload(Assignment.instansi))
    )
    if for_update:
        stmt = stmt.with_for_update(of=Assignment)
    return session.scalars(stmt).first()


def of_person(
    session: Session, *, user: User, today: date
) -> list[tuple[Assignment, Enrollment | None]]:
    """A learner's active, started assignments with her enrolment, earliest deadline first."""
    if user.instansi_id is None:
        return []
    m = members(
        where=and_(
            Assignment.status == ACTIVE,
            Assignment.instansi_id == user.instansi_id,
            Assignment.start_on <= today,
        ),
        today=today,
    )
    stmt = (
        select(Assignment, Enrollment)
        .join(m, m.c.assignment_id == Assignment.id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.user_id == user.id, Enrollment.course_id == Assignment.course_id),
        )
        .where(m.c.user_id == user.id)
        .options(joinedload(Assignment.course).joinedload(Course.current_version))
        .order_by(Assignment.due_on, Assignment.id)
    )
    return [(a, e) for a, e in session.execute(stmt).unique().all()]


def assigned_start_dates(
    session: Session, *, user_id: int, instansi_id: int, course_id: int
) -> list[tuple[date, str, int | None]]:
    """(start date, instansi time zone, run) of her active assignments of the course, in one
    query (the course page asks it of every learner not yet enrolled)."""
    m = members(
        where=and_(
            Assignment.status == ACTIVE,
            Assignment.instansi_id == instansi_id,
            Assignment.course_id == course_id,
        )
    )
    stmt = (
        select(Assignment.start_on, Instansi.time_zone, Assignment.run_id)
        .join(m, m.c.assignment_id == Assignment.id)
        .join(Instansi, Instansi.id == Assignment.instansi_id)
        .where(m.c.user_id == user_id)
    )
    return [(start, zone, run) for start, zone, run in session.execute(stmt).all()]


def pending_reminders(session: Session, *, assignment: Assignment, today: date) -> list[User]:
    """The people of an assignment who have not completed its course (they get reminders)."""
    m = members(where=Assignment.id == assignment.id, today=today)
    stmt = (
        select(User)
        .join(m, m.c.user_id == User.id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.user_id == User.id, Enrollment.course_id == assignment.course_id),
        )
        .where(or_(Enrollment.id.is_(None), Enrollment.status != "completed"))
        .order_by(User.id)
    )
    return list(session.scalars(stmt))


def active(session: Session) -> list[Assignment]:
    stmt = (
        select(Assignment)
        .where(Assignment.status == ACTIVE)
        .options(joinedload(Assignment.course).joinedload(Course.current_version))
        .options(joinedload(Assignment.instansi))
        .order_by(Assignment.id)
    )
    return list(session.scalars(stmt).unique())


def overdue_people(
    session: Session, *, assignments: Sequence[Assignment], people: ColumnElement[bool]
) -> list[tuple[Assignment, User]]:
    """Who is overdue on the given (past-deadline) assignments, within `people`."""
    if not assignments:
        return []
    by_id = {a.id: a for a in assignments}
    m = members(where=Assignment.id.in_(list(by_id)))
    stmt = (
        select(m.c.assignment_id, User)
        .join(User, User.id == m.c.user_id)
        .join(Assignment, Assignment.id == m.c.assignment_id)
        .outerjoin(
            Enrollment,
            and_(Enrollment.user_id == User.id, Enrollment.course_id == Assignment.course_id),
        )
        .where(people, or_(Enrollment.id.is_(None), Enrollment.status != "completed"))
        .options(joinedload(User.unit))
        .order_by(User.unit_id, User.name)
    )
    return [(by_id[aid], u) for aid, u in session.execute(stmt).unique().all()]


def notices_of(session: Session, *, user_id: int, limit: int = 10) -> list[Notice]:
    stmt = (
        select(Notice)
        .where(Notice.user_id == user_id)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def hr_officers(session: Session) -> list[User]:
    """Active HR officers who want the weekly digest."""
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.hr, User.is_active.is_(True), User.wants_digest.is_(True))
        .order_by(User.id)
    )
    return list(session.scalars(stmt).unique())


def users_by_nip(session: Session, *, nips: Sequence[str]) -> list[User]:
    if not nips:
        return []
    return list(session.scalars(select(User).where(User.nip.in_(list(nips)))))
