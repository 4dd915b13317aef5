"""The zip round trip (issue 14, item 6): export a course's published version as its files, and
import such a zip, dry run first, all or nothing, audited with the real actor.

Reading and checking a zip (archive.check_zip) happens before the request's write transaction;
`import_zip` is then the one short write (ARCHITECTURE.md rule 2)."""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.authoring.archive import ZipCheck, zip_bytes
from app.config import get_settings
from app.core.errors import Forbidden, NotFound
from app.courses import repository as courses_repository
from app.courses import service as courses
from app.courses import teaching
from app.courses.parsed import Problem
from app.models import Course, User


@dataclass(frozen=True)
class Export:
    slug: str
    version: int
    filename: str
    data: bytes


@dataclass
class ZipImport:
    """What an import did (or, in a dry run, would do)."""

    slug: str | None
    version: int | None
    action: str | None  # created | updated | unchanged; None when refused
    dry_run: bool
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def course_for_trainer(session: Session, *, slug: str, user: User) -> Course:
    """A course the caller teaches (admins: any); 404 when there is none, 403 when not hers."""
    course = courses_repository.course_by_slug(session, slug)
    if course is None or course.current_version_id is None:
        raise NotFound("Kursus tidak ditemukan.")
    if not teaching.teaches(session, user=user, course_id=course.id):
        raise Forbidden("Hanya pengajar kursus ini atau admin yang dapat mengekspornya.")
    return course


def build_export(session: Session, *, course: Course) -> Export:
    """The zip of the course's published version (reads only)."""
    number, course_files = courses.export_files(session, course=course)
    data = zip_bytes(course.slug, course_files)
    return Export(course.slug, number, f"{course.slug}-v{number}.zip", data)


def record_export(session: Session, *, export: Export, actor: User | None) -> None:
    audit.record(
        session,
        actor=actor,
        action="course.exported",
        object_type="course",
        object_id=export.slug,
        detail={"version": export.version, "bytes": len(export.data)},
    )


def authorise_import(session: Session, *, slug: str, actor: User) -> None:
    """A trainer imports a course she teaches, or a new slug; an admin any course."""
    if actor.has_role("admin"):
        return
    if not actor.has_role("trainer"):
        raise Forbidden("Hanya pengajar atau admin yang dapat mengimpor kursus.")
    course = courses_repository.course_by_slug(session, slug)
    if course is not None and not teaching.teaches(session, user=actor, course_id=course.id):
        raise Forbidden(
            f"Kursus {slug} sudah ada dan Anda bukan pengajarnya; hanya pengajar kursus ini "
            "atau admin yang dapat mengimpornya."
        )


def import_zip(session: Session, *, check: ZipCheck, actor: User, dry_run: bool) -> ZipImport:
    """Import a zip already read by archive.check_zip. Any problem: nothing is written. A dry
    run goes through the same import in a savepoint that is rolled back, so it reports what the
    import would do (a code already in use, the version it would give) and writes only its
    audit entry."""
    if check.slug is not None:
        authorise_import(session, slug=check.slug, actor=actor)
    warnings = [str(w) for w in check.warnings]
    if check.problems or check.course is None:
        result = ZipImport(check.slug, None, None, dry_run, list(check.problems), warnings)
        if dry_run:
            _record(session, actor=actor, result=result)
        return result
    parsed = check.course
    try:
        if dry_run:
            savepoint = session.begin_nested()
            try:
                outcome = courses.import_parsed(session, parsed=parsed, actor=actor)
            finally:
                savepoint.rollback()
        else:
            outcome = courses.import_parsed(session, parsed=parsed, actor=actor)
            if outcome.action == "created" and actor.has_role("trainer"):
                course = courses_repository.course_by_slug(session, parsed.slug)
                assert course is not None
                if not teaching.teaches(session, user=actor, course_id=course.id):
                    teaching.assign_trainer(session, course=course, user=actor, actor=actor)
    except courses.CourseProblems as exc:
        result = ZipImport(check.slug, None, None, dry_run, list(exc.problems), warnings)
        if dry_run:
            _record(session, actor=actor, result=result)
        return result
    result = ZipImport(
        outcome.slug, outcome.version, outcome.action, dry_run, [], warnings + outcome.warnings
    )
    _record(session, actor=actor, result=result)
    return result


def _record(session: Session, *, actor: User, result: ZipImport) -> None:
    audit.record(
        session,
        actor=actor,
        action="course.import_checked" if result.dry_run else "course.imported",
        object_type="course",
        object_id=result.slug,
        detail={
            "via": "zip",
            "action": result.action,
            "version": result.version,
            "problems": len(result.problems),
        },
    )


# --- The upload page keeps a checked zip between its dry run and "Terbitkan" ----------------

_PENDING_SECONDS = 6 * 3600


def _pending_dir() -> Path:
    return get_settings().data_dir / "course-zips"


def keep_pending(*, user: User, data: bytes) -> str:
    """Keep an uploaded zip for its publish step; the token names it for this user only."""
    folder = _pending_dir()
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - _PENDING_SECONDS
    for old in folder.glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{user.id}-{token}.zip").write_bytes(data)
    return token


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _pending_path(*, user: User, token: str) -> Path:
    if not _TOKEN.match(token):
        raise NotFound("Unggahan tidak ditemukan; unggah berkas zip sekali lagi.")
    return _pending_dir() / f"{user.id}-{token}.zip"


def pending(*, user: User, token: str) -> bytes:
    path = _pending_path(user=user, token=token)
    if not path.is_file():
        raise NotFound("Unggahan tidak ditemukan atau sudah kedaluwarsa; unggah sekali lagi.")
    return path.read_bytes()


def forget_pending(*, user: User, token: str) -> None:
    _pending_path(user=user, token=token).unlink(missing_ok=True)
