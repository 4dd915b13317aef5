"""Assignments (*penugasan*): HR makes a course mandatory for units, people or a filter, with a
start date and a deadline; learners see theirs first; HR follows progress, extends, withdraws.

Scope (app/accounts/scope.py): HR creates and sees assignments of her instansi only; an HR
role narrowed to a unit subtree targets units within it and counts only its people; admins
see every instansi. Deadlines and "today" follow the instansi's time zone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.principal import Principal
from app.accounts.scope import Scope
from app.asn.employment import JENIS_JABATAN, normalise_golongan
from app.asn.nip import normalise_nip
from app.assignments import repository
from app.audit import service as audit
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.courses import repository as courses
from app.courses import runs as course_runs
from app.courses.outline import Outline
from app.learning import service as learning
from app.models import (
    Assignment,
    AssignmentPerson,
    AssignmentUnit,
    CourseRun,
    Enrollment,
    Instansi,
    Notice,
    Unit,
    User,
)
from app.models.user import JenisAsn, Role
from app.org import repository as org_repository
from app.org import service as org

STATUS_LABELS = {
    "not_started": "belum mulai",
    "in_progress": "berjalan",
    "completed": "selesai",
    "overdue": "terlambat",
}
MAX_TARGETS = 500


def today_in(instansi: Instansi | None) -> date:
    """Today in the instansi's time zone (WIB when it has none)."""
    return _today_in_zone(instansi.time_zone if instansi is not None else None)


def _today_in_zone(zone: str | None) -> date:
    return clock.now().astimezone(ZoneInfo(zone or "Asia/Jakarta")).date()


def status_of(enrollment: Enrollment | None, *, due_on: date, today: date) -> str:
    if enrollment is not None and enrollment.status == "completed":
        return "completed"
    if today > due_on:
        return "overdue"
    return "in_progress" if enrollment is not None else "not_started"


# -- HR ------------------------------------------------------------------------------------


def visible(scope: Scope, assignment: Assignment) -> bool:
    return scope.everyone or (
        scope.instansi_id is not None and assignment.instansi_id == scope.instansi_id
    )


def may_manage(viewer: User, scope: Scope, assignment: Assignment) -> bool:
    """Extend or withdraw: admins, HR of the whole instansi, and a unit-scoped HR officer for
    the assignments she made herself."""
    if not visible(scope, assignment):
        return False
    return scope.everyone or scope.unit_ids is None or assignment.created_by_id == viewer.id


def get_for_hr(session: Session, *, viewer: User, assignment_id: int) -> Assignment:
    """Load-and-authorise: an assignment the viewer may see (404 otherwise, also for HR of
    another instansi: she must not learn that it exists)."""
    scope = accounts.scope_of(session, viewer)
    found = repository.get(session, assignment_id)
    if found is None or not visible(scope, found):
        raise NotFound("Penugasan tidak ditemukan.")
    return found


def title_of(assignment: Assignment) -> str:
    version = assignment.course.current_version
    return version.title if version is not None else assignment.course.slug


NIP_LIST_SEPARATORS = re.compile(r"[\n,;]+")
NIP_LENGTH = 18


def parse_nips(text: str) -> list[str]:
    """NIPs as HR pastes them: one per line or separated by commas or semicolons, each written
    with or without the spaces and dots people put inside a NIP (`1990 0314 2015 03 2 001`);
    a line of several NIPs separated by spaces is split into them."""
    found: list[str] = []
    for chunk in NIP_LIST_SEPARATORS.split(text or ""):
        value = normalise_nip(chunk)
        if not value:
            continue
        if value.isdigit() and len(value) > NIP_LENGTH and len(value) % NIP_LENGTH == 0:
            found.extend(value[i : i + NIP_LENGTH] for i in range(0, len(value), NIP_LENGTH))
        else:
            found.append(value)
    return list(dict.fromkeys(found))


class TargetError(Invalid):
    """A problem with one field of a new assignment (the form shows it next to the field)."""

    def __init__(self, field: str, message: str, *, status_code: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status_code = status_code


def create(
    session: Session,
    *,
    actor: User,
    course_slug: str,
    unit_codes: list[str],
    nips: list[str],
    due_on: date | None,
    start_on: date | None = None,
    jenis_asn: str | None = None,
    jenis_jabatan: str | None = None,
    golongan: str | None = None,
    instansi_code: str | None = None,
    run_id: int | None = None,
) -> Assignment:
    """Assign a course. Errors: unknown course or unit or NIP 404, a unit outside the
    officer's scope 403, dates and an empty target 422 (each naming its form field)."""
    scope = accounts.scope_of(session, actor)
    if scope.nobody:
        raise Forbidden("Hanya pengelola kepegawaian yang dapat menugaskan pelatihan.")
    instansi = _instansi(session, actor=actor, scope=scope, code=instansi_code)
    if not (course_slug or "").strip():
        raise TargetError("course", "Pilih kursus yang ditugaskan.")
    course = courses.course_by_slug(session, course_slug.strip())
    if course is None or course.status != "published" or course.current_version is None:
        raise TargetError("course", "Kursus tidak ditemukan.", status_code=404)
    run = _run(session, course_id=course.id, instansi_id=instansi.id, run_id=run_id)
    today = today_in(instansi)
    if due_on is None:
        raise TargetError("due_on", "Tenggat wajib diisi (format TTTT-BB-HH).")
    if due_on < today:
        raise TargetError("due_on", "Tenggat tidak boleh sebelum hari ini.")
    start_on = start_on or today
    if start_on > due_on:
        raise TargetError("start_on", "Tanggal mulai harus sebelum atau sama dengan tenggat.")
    units = []
    for code in dict.fromkeys(c.strip() for c in unit_codes if c and c.strip()):
        unit = org_repository.unit_by_code(session, instansi.id, code)
        if unit is None:
            raise TargetError("units", f"Unit {code[:40]} tidak ditemukan.", status_code=404)
        if not scope.covers_unit(unit):
            raise TargetError("units", f"Unit {code} di luar lingkup Anda.", status_code=403)
        units.append(unit)
    people = _people(session, scope=scope, instansi=instansi, nips=nips)
    filters = _filters(jenis_asn=jenis_asn, jenis_jabatan=jenis_jabatan, golongan=golongan)
    if len(units) + len(people) > MAX_TARGETS:
        raise TargetError("units", f"Paling banyak {MAX_TARGETS} unit dan pegawai sekaligus.")
    all_units = not units and any(filters.values())
    if not units and not people and not all_units:
        raise TargetError("units", "Pilih paling sedikit satu unit, satu pegawai, atau filter.")
    if all_units and scope.unit_ids is not None:
        # An officer narrowed to a unit subtree: "everyone" means everyone of her subtree.
        root = _scope_root(actor)
        unit_ids = [root] if root is not None else []
        all_units = False
    else:
        unit_ids = [u.id for u in units]
    assignment = Assignment(
        instansi_id=instansi.id,
        course_id=course.id,
        created_by_id=actor.id,
        start_on=start_on,
        due_on=due_on,
        status="active",
        all_units=all_units,
        run_id=run.id if run is not None else None,
        **filters,
    )
    assignment.unit_targets = [AssignmentUnit(unit_id=i) for i in unit_ids]
    assignment.person_targets = [AssignmentPerson(user_id=p.id) for p in people]
    session.add(assignment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="assignment.create",
        object_type="assignment",
        object_id=assignment.id,
        instansi_id=instansi.id,
        detail={
            "course": course.slug,
            "units": [u.code for u in units],
            "people": len(people),
            "due_on": due_on.isoformat(),
            **({"run": run.id} if run is not None else {}),
            **{k: v for k, v in filters.items() if v},
        },
    )
    from app.assignments import tasks
    from app.jobs.queue import after_commit

    after_commit(session, tasks.remind_assignment, assignment.id)
    return assignment


def _instansi(session: Session, *, actor: User, scope: Scope, code: str | None) -> Instansi:
    if not scope.everyone:
        assert scope.instansi_id is not None
        instansi = org.instansi_by_id(session, scope.instansi_id)
        if code and code != instansi.code:
            raise TargetError("instansi", "Instansi di luar lingkup Anda.", status_code=403)
        return instansi
    if code:
        return org.get_instansi(session, code=code)
    if actor.instansi is not None:
        return actor.instansi
    return org.default_instansi(session)


def _scope_root(actor: User) -> int | None:
    return next((r.unit_id for r in actor.roles if r.role == Role.hr), None)


def _people(session: Session, *, scope: Scope, instansi: Instansi, nips: list[str]) -> list[User]:
    wanted = list(dict.fromkeys(normalise_nip(n) for n in nips if n and normalise_nip(n)))
    if len(wanted) > MAX_TARGETS:
        raise TargetError("people", f"Paling banyak {MAX_TARGETS} NIP sekaligus.")
    found = {u.nip: u for u in repository.users_by_nip(session, nips=wanted)}
    people = []
    for nip in wanted:
        person = found.get(nip)
        if person is None or person.instansi_id != instansi.id or not scope.covers(person):
            raise TargetError(
                "people", f"NIP {nip[:18]} tidak ditemukan di lingkup Anda.", status_code=404
            )
        people.append(person)
    return people


def _filters(
    *, jenis_asn: str | None, jenis_jabatan: str | None, golongan: str | None
) -> dict[str, str | None]:
    jenis_asn = (jenis_asn or "").strip().upper() or None
    if jenis_asn is not None and jenis_asn not in {j.value for j in JenisAsn}:
        raise TargetError("jenis_asn", "Jenis ASN harus PNS, CPNS, atau PPPK.")
    jenis_jabatan = (jenis_jabatan or "").strip().lower() or None
    if jenis_jabatan is not None and jenis_jabatan not in JENIS_JABATAN:
        raise TargetError("jenis_jabatan", "Jenis jabatan tidak dikenal.")
    raw = (golongan or "").strip()
    golongan = None
    if raw:
        golongan = normalise_golongan(raw, jenis_asn=jenis_asn or "PNS") or normalise_golongan(
            raw, jenis_asn="PPPK"
        )
        if golongan is None:
            raise TargetError("golongan", "Golongan tidak dikenal: tulis misalnya III/a atau IX.")
    return {
        "filter_jenis_asn": jenis_asn,
        "filter_jenis_jabatan": jenis_jabatan,
        "filter_golongan": golongan,
    }


def _manageable(session: Session, *, actor: User, assignment: Assignment) -> None:
    if not may_manage(actor, accounts.scope_of(session, actor), assignment):
        raise Forbidden("Penugasan ini dibuat oleh pengelola lain.")
    if assignment.status != "active":
        raise Conflict("Penugasan ini sudah ditarik.")


def extend(session: Session, *, actor: User, assignment: Assignment, due_on: date | None) -> None:
    """Move the deadline later. Reminders for the new deadline go out again (their stage
    names the deadline)."""
    _manageable(session, actor=actor, assignment=assignment)
    if due_on is None:
        raise TargetError("due_on", "Tenggat baru wajib diisi.")
    if due_on <= assignment.due_on:
        raise TargetError("due_on", "Tenggat baru harus setelah tenggat saat ini.")
    previous = assignment.due_on
    assignment.due_on = due_on
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="assignment.extend",
        object_type="assignment",
        object_id=assignment.id,
        instansi_id=assignment.instansi_id,
        detail={"from": previous.isoformat(), "to": due_on.isoformat()},
    )


def withdraw(session: Session, *, actor: User, assignment: Assignment) -> None:
    """Withdraw: the course stops being mandatory; progress already made stays."""
    _manageable(session, actor=actor, assignment=assignment)
    assignment.status = "withdrawn"
    assignment.withdrawn_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="assignment.withdraw",
        object_type="assignment",
        object_id=assignment.id,
        instansi_id=assignment.instansi_id,
    )


# -- Learner -------------------------------------------------------------------------------


def _run(
    session: Session, *, course_id: int, instansi_id: int, run_id: int | None
) -> CourseRun | None:
    """The run an assignment names: a named run of the same course, made for the instansi
    (or by an admin for none in particular)."""
    if run_id is None:
        return None
    run = course_runs.run_by_id(session, run_id)
    if (
        run is None
        or run.is_open
        or run.course_id != course_id
        or run.instansi_id not in (None, instansi_id)
    ):
        raise TargetError("run", "Angkatan itu bukan angkatan kursus ini di instansi Anda.")
    return run


def _started_runs(session: Session, *, principal: Principal, course_id: int) -> list[int | None]:
    """The runs of her started assignments of the course (None: no run named); empty when
    none has started."""
    if not principal.has_role("learner") or principal.instansi_id is None:
        return []
    return [
        run_id
        for start_on, zone, run_id in repository.assigned_start_dates(
            session,
            user_id=principal.id,
            instansi_id=principal.instansi_id,
            course_id=course_id,
        )
        if start_on <= _today_in_zone(zone)
    ]


def needs_enrolment(session: Session, *, principal: Principal, course_id: int) -> bool:
    """Is this learner, not yet enrolled in the course, assigned it (started, in her
    instansi's today)? Then the course page enrols her. One query."""
    return bool(_started_runs(session, principal=principal, course_id=course_id))


def enrol_assigned(session: Session, *, principal: Principal, version: Outline) -> None:
    """Enrol her in an assigned course (idempotent; a bookkeeping write after the page), in
    the run an assignment names (the first that names one), else the open run."""
    started = _started_runs(session, principal=principal, course_id=version.course_id)
    if not started:
        return
    user = session.get(User, principal.id)
    if user is None:
        return
    run_id = next((r for r in started if r is not None), None)
    run = course_runs.run_by_id(session, run_id) if run_id is not None else None
    learning.enrol(session, user=user, version=version, run=run)


# -- Form choices ------------------------------------------------------------------------


@dataclass
class FormChoices:
    instansi: Instansi
    instansi_options: list[Instansi]
    courses: list[tuple[str, str]]  # (slug, title)
    units: list[tuple[int, Unit]]  # (depth, unit), only units in the officer's scope
    runs: list[tuple[int, str]] = field(default_factory=list)  # (run id, "course — run")


def form_choices(session: Session, *, viewer: User, instansi_code: str | None) -> FormChoices:
    scope = accounts.scope_of(session, viewer)
    if scope.nobody:
        raise Forbidden("Hanya pengelola kepegawaian yang dapat menugaskan pelatihan.")
    options = (
        org_repository.all_instansi(session)
        if scope.everyone
        else [org.instansi_by_id(session, scope.instansi_id)]  # type: ignore[arg-type]
    )
    if not options:
        raise NotFound("Belum ada instansi.")
    chosen = next((i for i in options if i.code == instansi_code), None)
    if chosen is None:
        chosen = next((i for i in options if i.id == viewer.instansi_id), options[0])
    units = [
        (depth, node.unit)
        for depth, node in org.flatten(org.unit_tree(session, instansi=chosen))
        if scope.covers_unit(node.unit)
    ]
    published = courses.published(session)
    courses_ = [(c.slug, v.title) for c, v in published]
    titles = {c.id: v.title for c, v in published}
    runs = [
        (r.id, f"{titles[r.course_id]} — {r.name}")
        for r in course_runs.named_runs(session, instansi_id=chosen.id)
        if r.course_id in titles
    ]
    return FormChoices(chosen, options, courses_, units, runs)


# -- Notices -------------------------------------------------------------------------------


def notices(session: Session, *, user: User) -> list[Notice]:
    """Her notices (unread first, newest first): what mail would have told her."""
    return repository.notices_of(session, user_id=user.id)


def notice_of(session: Session, *, user: User, notice_id: int) -> Notice:
    found = session.get(Notice, notice_id)
    if found is None or found.user_id != user.id:
        raise NotFound("Pemberitahuan tidak ditemukan.")
    return found


def mark_read(session: Session, *, notice: Notice) -> None:
    if notice.read_at is None:
        notice.read_at = clock.now()
        session.flush()
