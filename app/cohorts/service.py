"""Runs (*angkatan*) as HR makes them: a named cohort of a course for her instansi, and the
people of her scope enrolled into it. The open run (self-paced) needs no HR: app/courses/runs.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from app.accounts import service as accounts
from app.accounts.scope import Scope
from app.assignments import service as assignments
from app.audit import service as audit
from app.core.errors import Invalid, NotFound
from app.courses import repository as courses
from app.learning import service as learning
from app.models import Course, CourseRun, CourseRunTrainer, CourseVersion, Enrollment, User

MAX_PEOPLE = 500


class RunFormError(Invalid):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunRow:
    run: CourseRun
    title: str
    learners: int  # in the viewer's scope


def visible(scope: Scope, run: CourseRun) -> bool:
    """HR sees the named runs made for her instansi; admins every named run."""
    if run.is_open:
        return False
    return scope.everyone or (
        scope.instansi_id is not None and run.instansi_id == scope.instansi_id
    )


def runs_for_hr(session: Session, *, viewer: User) -> list[RunRow]:
    scope = accounts.scope_of(session, viewer)
    if scope.nobody:
        return []
    learners = (
        select(func.count(Enrollment.id))
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.run_id == CourseRun.id, scope.people())
        .scalar_subquery()
    )
    stmt = (
        select(CourseRun, CourseVersion.title, learners)
        .join(Course, Course.id == CourseRun.course_id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(CourseRun.is_open.is_(False))
        .order_by(CourseRun.starts_on.desc(), CourseRun.id.desc())
    )
    if not scope.everyone:
        stmt = stmt.where(CourseRun.instansi_id == scope.instansi_id)
    return [RunRow(r, t, n or 0) for r, t, n in session.execute(stmt).all()]


def get_for_hr(session: Session, *, viewer: User, run_id: int) -> CourseRun:
    """Load-and-authorise: a run the HR officer may manage (404 otherwise)."""
    run = session.get(CourseRun, run_id)
    if run is None or not visible(accounts.scope_of(session, viewer), run):
        raise NotFound("Angkatan tidak ditemukan.")
    return run


def course_choices(session: Session) -> list[tuple[str, str]]:
    return [(c.slug, v.title) for c, v in courses.published(session)]


def create_run(
    session: Session,
    *,
    actor: User,
    course_slug: str,
    name: str,
    starts_on: date | None,
    ends_on: date | None,
) -> CourseRun:
    """A named run of a course for the actor's instansi (an admin's run belongs to none)."""
    course = courses.course_by_slug(session, (course_slug or "").strip())
    if course is None or course.status != "published" or course.current_version is None:
        raise RunFormError("course", "Pilih kursus yang tersedia.")
    name = " ".join((name or "").split())
    if not 3 <= len(name) <= 120:
        raise RunFormError("name", "Nama angkatan 3–120 karakter, mis. “Angkatan I 2026”.")
    if starts_on is None:
        raise RunFormError("starts_on", "Isi tanggal mulai angkatan.")
    if ends_on is not None and ends_on < starts_on:
        raise RunFormError("ends_on", "Tanggal selesai tidak boleh sebelum tanggal mulai.")
    instansi_id = None if actor.has_role("admin") else accounts.hr_instansi_id(actor)
    run = CourseRun(
        course_id=course.id,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        is_open=False,
        instansi_id=instansi_id,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="run.create",
        object_type="course_run",
        object_id=run.id,
        instansi_id=instansi_id,
        detail={"course": course.slug, "name": name},
    )
    return run


@dataclass
class EnrolOutcome:
    enrolled: list[str] = field(default_factory=list)  # names
    moved: list[str] = field(default_factory=list)  # from another run of the course
    already: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # finished the course: left as is
    refused: list[str] = field(default_factory=list)  # NIP: reason


def enrol_people(session: Session, *, actor: User, run: CourseRun, nips_text: str) -> EnrolOutcome:
    """Enrol people of the actor's scope into the run, by NIP. Someone already learning the
    course in another run moves into this one (her progress stays); someone who completed it
    stays where she finished."""
    nips = assignments.parse_nips(nips_text)
    if not nips:
        raise RunFormError("people", "Tulis NIP pegawai yang didaftarkan.")
    if len(nips) > MAX_PEOPLE:
        raise RunFormError("people", f"Paling banyak {MAX_PEOPLE} NIP sekali kirim.")
    version = courses.published_outline(session, run.course.slug)
    if version is None:
        raise NotFound("Kursus tidak ditemukan.")
    scope = accounts.scope_of(session, actor)
    out = EnrolOutcome()
    for nip in nips:
        person = accounts.find_user(session, nip)
        if person is None or not scope.covers(person):
            out.refused.append(f"{nip}: tidak ditemukan di lingkup Anda")
            continue
        if not person.has_role("learner") or not person.is_active:
            out.refused.append(f"{nip}: bukan peserta aktif")
            continue
        existing = learning.enrollment_for(session, user=person, course_id=run.course_id)
        if existing is None:
            learning.enrol(session, user=person, version=version, run=run)
            out.enrolled.append(person.name)
        elif existing.run_id == run.id:
            out.already.append(person.name)
        elif existing.status == "completed":
            out.completed.append(person.name)
        else:
            existing.run_id = run.id
            out.moved.append(person.name)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="run.enrol",
        object_type="course_run",
        object_id=run.id,
        instansi_id=run.instansi_id,
        detail={
            "enrolled": len(out.enrolled),
            "moved": len(out.moved),
            "refused": len(out.refused),
        },
    )
    return out


def set_trainer(
    session: Session, *, actor: User, run: CourseRun, nip: str, remove: bool = False
) -> User:
    """Name (or un-name) a widyaiswara of this run. A run's trainers see the run on their
    /trainer pages and its learners evaluate each of them (app/evaluations); the course's own
    trainers see every run anyway. Any active trainer account may be named: a widyaiswara
    often comes from another agency than the learners'."""
    person = accounts.find_user(session, nip)
    if person is None or not person.is_active or not person.has_role("trainer"):
        raise RunFormError("trainer", "NIP itu bukan akun widyaiswara yang aktif di Cakap.")
    named = next((t for t in run.trainers if t.user_id == person.id), None)
    if remove:
        if named is None:
            raise RunFormError("trainer", f"{person.name} bukan pengajar angkatan ini.")
        run.trainers.remove(named)
    elif named is None:
        run.trainers.append(CourseRunTrainer(user_id=person.id))
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="run.trainer_remove" if remove else "run.trainer_add",
        object_type="course_run",
        object_id=run.id,
        instansi_id=run.instansi_id,
        detail={"trainer_id": person.id},
    )
    return person


def trainers(session: Session, *, run: CourseRun) -> list[User]:
    """The run's named trainers, by name."""
    ids = [t.user_id for t in run.trainers]
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name)))


def members(session: Session, *, viewer: User, run: CourseRun) -> Sequence[Enrollment]:
    """The run's enrolments of people in the viewer's scope, by name."""
    scope = accounts.scope_of(session, viewer)
    stmt = (
        select(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .where(Enrollment.run_id == run.id, scope.people())
        .options(contains_eager(Enrollment.user))
        .order_by(User.name)
    )
    return list(session.scalars(stmt))
