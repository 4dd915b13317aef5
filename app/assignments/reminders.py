"""Reminders of assignments: on assignment, 7 and 1 days before the deadline, weekly while
overdue; and a weekly digest of overdue people to HR.

At most once per person, assignment and stage, on any number of nodes and reruns: a reminder
is a row of `assignment_reminder` under a UNIQUE (assignment, person, stage) key, inserted in
the transaction that queues its mail (app/mail: the outbox, itself once-only by `key`) or its
notice. A concurrent run inserting the same key waits for the first to commit (PostgreSQL:
the unique index; SQLite: the single writer) and then skips it. People who have completed the
course get nothing; people without an e-mail address get a notice in Cakap instead."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.assignments import repository
from app.assignments.repository import TIME_ZONES
from app.assignments.service import today_in
from app.core.db import Database
from app.core.templating import tanggal
from app.mail import service as mail
from app.models import Assignment, AssignmentReminder, Notice, User

log = logging.getLogger("cakap.assignments")

TEMPLATES = {
    "assigned": "assignment_assigned",
    "due-7": "assignment_due_soon",
    "due-1": "assignment_due_tomorrow",
    "overdue": "assignment_overdue",
}


@dataclass
class Sent:
    emails: int = 0
    notices: int = 0
    digests: int = 0
    by_stage: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def deadline_stage(*, due_on: date, today: date) -> str | None:
    """The deadline reminder due today: `due-7` from 7 to 2 days before, `due-1` the day
    before and on the day, `overdue-<n>` in the n-th week after the deadline. A run missed
    for a day is made up by the next one; the log key keeps each stage to one message."""
    days_left = (due_on - today).days
    if 2 <= days_left <= 7:
        return "due-7"
    if 0 <= days_left <= 1:
        return "due-1"
    if days_left < 0:
        return f"overdue-{(-days_left - 1) // 7 + 1}"
    return None


def send(
    database: Database, *, today: date | None = None, assignment_id: int | None = None
) -> Sent:
    """Send what is due: every active assignment (or one), then the HR digests. `today`
    overrides every instansi's own today (the CLI's --today)."""
    sent = Sent()
    with database.unit_of_work(write=False) as session:
        ids = [a.id for a in repository.active(session)]
    for current in ids:
        if assignment_id is not None and current != assignment_id:
            continue
        with database.unit_of_work() as session:
            assignment = repository.get(session, current)
            if assignment is not None and assignment.status == "active":
                _remind(session, assignment=assignment, today=today, sent=sent)
    if assignment_id is None:
        with database.unit_of_work() as session:
            _digests(session, today=today, sent=sent)
    log.info(
        "reminders: %d e-mail, %d notices, %d digests", sent.emails, sent.notices, sent.digests
    )
    return sent


def _remind(session: Session, *, assignment: Assignment, today: date | None, sent: Sent) -> None:
    day = today or today_in(assignment.instansi)
    if assignment.start_on > day:
        return
    deadline = deadline_stage(due_on=assignment.due_on, today=day)
    suffix = f"@{assignment.due_on.isoformat()}"
    for person in repository.pending_reminders(session, assignment=assignment, today=day):
        if _claim(session, assignment=assignment, person=person, stage="assigned"):
            _deliver(session, assignment=assignment, person=person, stage="assigned", sent=sent)
            if deadline is not None:
                # The assignment's own message states the deadline: the reminder due today
                # would repeat it on the same day.
                _claim(session, assignment=assignment, person=person, stage=deadline + suffix)
            continue
        if deadline is not None and _claim(
            session, assignment=assignment, person=person, stage=deadline + suffix
        ):
            _deliver(session, assignment=assignment, person=person, stage=deadline, sent=sent)


def _claim(session: Session, *, assignment: Assignment, person: User, stage: str) -> bool:
    """Take the once-only key of a reminder; False when it was taken before (any run, any
    node: a concurrent one waits here for the other's commit, then fails the insert)."""
    row = AssignmentReminder(
        assignment_id=assignment.id,
        user_id=person.id,
        stage=stage,
        channel="email" if person.email else "notice",
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True


def _deliver(
    session: Session, *, assignment: Assignment, person: User, stage: str, sent: Sent
) -> None:
    kind = "overdue" if stage.startswith("overdue") else stage
    context = _context(assignment, person)
    if person.email:
        mail.queue(
            session,
            to=person.email,
            template=TEMPLATES[kind],
            context=context,
            key=f"assignment:{assignment.id}:{person.id}:{stage}@{assignment.due_on}",
        )
        sent.emails += 1
    else:
        subject, text, _ = mail.render(TEMPLATES[kind], context)
        session.add(
            Notice(
                user_id=person.id,
                assignment_id=assignment.id,
                kind=f"assignment.{kind}",
                title=subject,
                body=_notice_body(text),
                link=f"/courses/{assignment.course.slug}",
            )
        )
        sent.notices += 1
    sent.by_stage[kind] += 1


def _notice_body(text: str) -> str:
    """The message's text without the salutation and the automatic-mail footer."""
    paragraphs = [p.strip() for p in text.strip().split("\n\n") if p.strip()]
    kept = [p for p in paragraphs[1:] if not p.startswith(("Pesan ini dikirim", "http"))]
    return "\n\n".join(kept[:2])[:1000]


def _course_title(assignment: Assignment) -> str:
    version = assignment.course.current_version
    return version.title if version is not None else assignment.course.slug


def _context(assignment: Assignment, person: User) -> dict[str, object]:
    version = assignment.course.current_version
    zone = assignment.instansi.time_zone or "Asia/Jakarta"
    return {
        "name": person.name,
        "course_title": _course_title(assignment),
        "jp": version.jp if version is not None else 0,
        "slug": assignment.course.slug,
        "due_on": tanggal(assignment.due_on),
        "time_zone": TIME_ZONES.get(zone, zone),
        "instansi": assignment.instansi.name,
    }


def _digests(session: Session, *, today: date | None, sent: Sent) -> None:
    """Each HR officer (who wants it) gets, once per ISO week, the overdue people of her scope
    per unit; nothing when nobody is overdue."""
    active = repository.active(session)
    for officer in repository.hr_officers(session):
        if not officer.email:
            continue
        scope = accounts.scope_of(session, officer)
        if scope.nobody:
            continue
        past_due = [
            a
            for a in active
            if (scope.everyone or a.instansi_id == scope.instansi_id)
            and (today or today_in(a.instansi)) > a.due_on
        ]
        rows = repository.overdue_people(session, assignments=past_due, people=scope.people())
        if not rows:
            continue
        units: dict[str, list[dict[str, str]]] = defaultdict(list)
        for assignment, person in rows:
            unit = person.unit.name if person.unit is not None else "Tanpa unit"
            units[unit].append(
                {
                    "name": person.name,
                    "nip": person.nip or "",
                    "course_title": _course_title(assignment),
                    "due_on": tanggal(assignment.due_on),
                }
            )
        day = today or today_in(officer.instansi)
        year, week, _ = day.isocalendar()
        queued = mail.queue(
            session,
            to=officer.email,
            template="assignment_digest",
            context={
                "name": officer.name,
                "units": sorted(units.items()),
                "total": len(rows),
                "week": f"{week}/{year}",
            },
            key=f"assignment-digest:{officer.id}:{year}-W{week:02d}",
        )
        if queued is not None:
            sent.digests += 1
