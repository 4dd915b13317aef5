"""Who teaches what: the one rule every trainer page, report and API asks.

A course's trainers are named in its course.yaml (`trainers`, source `file`) or assigned by
hand (`cakap courses assign-trainer`, an admin page: source `manual`). Admins count as teaching
every course. An import keeps the `file` rows in step with the file and never touches the
`manual` ones.

A NIP in course.yaml that matches no account (or an account without the trainer role) is a
warning, not an error: people are often imported after the courses, and refusing the course
would block the whole import. The link is made at the next import (`cakap init` and
`cakap courses import` run it on every deploy, even for an unchanged course), so the file
stays the single source and nothing waits in a side table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts import repository as accounts_repository
from app.asn.nip import normalise_nip
from app.audit import service as audit
from app.core.errors import Invalid, NotFound
from app.models import Course, CourseRun, CourseRunTrainer, CourseTrainer, Role, User, UserRole


def teaches(session: Session, *, user: User, course_id: int) -> bool:
    """Does `user` teach the course? Admins teach every course; a trainer the courses she is
    named for (file or manual)."""
    if user.has_role("admin"):
        return True
    if not user.has_role("trainer"):
        return False
    found = session.scalar(
        select(CourseTrainer.id).where(
            CourseTrainer.course_id == course_id, CourseTrainer.user_id == user.id
        )
    )
    return found is not None


def taught_course_ids(session: Session, *, user: User) -> set[int] | None:
    """The ids of the courses `user` teaches; None means every course (admins)."""
    if user.has_role("admin"):
        return None
    if not user.has_role("trainer"):
        return set()
    rows = session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id))
    return set(rows)


def trains_run(session: Session, *, user: User, run: CourseRun) -> bool:
    """A run is the business of its course's trainers and of the trainers named on it."""
    if teaches(session, user=user, course_id=run.course_id):
        return True
    if not user.has_role("trainer"):
        return False
    found = session.scalar(
        select(CourseRunTrainer.run_id).where(
            CourseRunTrainer.run_id == run.id, CourseRunTrainer.user_id == user.id
        )
    )
    return found is not None


def run_trainer_course_ids(session: Session, *, user: User) -> set[int]:
    """Courses where `user` trains at least one run (without teaching the whole course)."""
    if not user.has_role("trainer"):
        return set()
    stmt = (
        select(CourseRun.course_id)
        .join(CourseRunTrainer, CourseRunTrainer.run_id == CourseRun.id)
        .where(CourseRunTrainer.user_id == user.id)
    )
    return set(session.scalars(stmt))


def trainers_of(session: Session, *, course_id: int) -> Sequence[tuple[User, str]]:
    """(trainer, source) of a course, by name."""
    stmt = (
        select(User, CourseTrainer.source)
        .join(CourseTrainer, CourseTrainer.user_id == User.id)
        .where(CourseTrainer.course_id == course_id)
        .order_by(User.name)
    )
    return [(u, s) for u, s in session.execute(stmt).all()]


def _is_trainer(user: User) -> bool:
    return any(r.role == Role.trainer for r in user.roles)


@dataclass(frozen=True)
class TrainerSync:
    linked: list[str]  # NIPs newly linked
    unlinked: list[str]  # NIPs no longer in the file
    warnings: list[str]  # NIPs that could not be linked, with the reason


def sync_file_trainers(session: Session, *, course: Course, nips: list[str]) -> TrainerSync:
    """Make the course's `file` trainers those of `nips` that are trainer accounts. A person
    already assigned by hand stays `manual` (an import never removes a manual assignment)."""
    wanted: dict[int, str] = {}
    warnings: list[str] = []
    for nip in nips:
        user = accounts_repository.user_by_nip(session, normalise_nip(nip), details=False)
        if user is None:
            warnings.append(
                f"trainer {nip}: no account with this NIP yet; linked at a later import"
            )
        elif not _is_trainer(user):
            warnings.append(f"trainer {nip}: the account does not hold the trainer role")
        else:
            wanted[user.id] = nip
    existing = {
        row.user_id: row
        for row in session.scalars(
            select(CourseTrainer).where(CourseTrainer.course_id == course.id)
        )
    }
    linked: list[str] = []
    unlinked: list[str] = []
    for user_id, nip in wanted.items():
        if user_id not in existing:
            session.add(CourseTrainer(course_id=course.id, user_id=user_id, source="file"))
            linked.append(nip)
    gone = [r for uid, r in existing.items() if r.source == "file" and uid not in wanted]
    for row in gone:
        user = session.get(User, row.user_id)
        unlinked.append(user.nip or str(row.user_id) if user else str(row.user_id))
        session.delete(row)
    session.flush()
    if linked or unlinked:
        audit.record(
            session,
            actor=None,
            action="course.trainers",
            object_type="course",
            object_id=course.slug,
            detail={"source": "file", "linked": linked, "unlinked": unlinked},
        )
    return TrainerSync(linked, unlinked, warnings)


def assign_trainer(
    session: Session, *, course: Course, user: User, actor: User | None, remove: bool = False
) -> bool:
    """Assign (or remove) a trainer of a course by hand. True when something changed. The
    person must hold the trainer role. Removing also removes a `file` link (until the next
    import puts it back: the file is the author's word)."""
    if not remove and not _is_trainer(user):
        raise Invalid("Pengguna ini tidak memiliki peran pengajar (trainer).")
    row = session.scalar(
        select(CourseTrainer).where(
            CourseTrainer.course_id == course.id, CourseTrainer.user_id == user.id
        )
    )
    if remove:
        if row is None:
            return False
        session.execute(delete(CourseTrainer).where(CourseTrainer.id == row.id))
    elif row is None:
        session.add(CourseTrainer(course_id=course.id, user_id=user.id, source="manual"))
    elif row.source == "manual":
        return False
    else:
        row.source = "manual"  # from now on an import leaves it alone
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="course.trainer_removed" if remove else "course.trainer_assigned",
        object_type="course",
        object_id=course.slug,
        detail={"user_id": user.id, "source": "manual"},
    )
    return True


def course_and_trainer(session: Session, *, slug: str, nip: str) -> tuple[Course, User]:
    """The course and the person a CLI or admin assignment names; NotFound otherwise."""
    course = session.scalar(select(Course).where(Course.slug == slug.strip()))
    if course is None:
        raise NotFound(f"Kursus {slug!r} tidak ditemukan.")
    user = accounts_repository.user_by_nip(session, normalise_nip(nip))
    if user is None:
        raise NotFound(f"Tidak ada akun dengan NIP {normalise_nip(nip)}.")
    return course, user


def trainer_role_holders(session: Session) -> Sequence[User]:
    """Everyone who holds the trainer role, by name (choices for the admin page)."""
    stmt = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.trainer, User.is_active.is_(True))
        .order_by(User.name)
    )
    return list(session.scalars(stmt))
