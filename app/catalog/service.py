"""The catalogue: what a logged-in user may browse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.assessments import repository as attempts
from app.core.errors import NotFound
from app.courses import repository as courses
from app.courses.outline import Outline
from app.evaluations import service as evaluations
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Course, CourseMedia, CourseVersion

AREAS = {
    "literasi-digital": "Literasi Digital",
    "smart-governance": "Smart Governance",
    "data": "Data dan Pengambilan Keputusan",
}
LEVELS = {"dasar": "Dasar", "menengah": "Menengah", "lanjut": "Lanjut"}


@dataclass
class CatalogEntry:
    course: Course
    version: CourseVersion


def search(
    session: Session, *, query: str | None, area: str | None, level: str | None
) -> list[CatalogEntry]:
    query = (query or "").strip()[:100] or None
    area = area if area in AREAS else None
    level = level if level in LEVELS else None
    return [
        CatalogEntry(c, v)
        for c, v in courses.published(session, query=query, area=area, level=level)
    ]


def media_file(session: Session, *, slug: str, version_number: int, path: str) -> CourseMedia:
    found = courses.media(session, slug=slug, version_number=version_number, path=path)
    if found is None:
        raise NotFound("Berkas tidak ditemukan.")
    return found


@dataclass
class CourseOverview:
    progress: learning.Progress
    version: Outline  # the version she reads: her enrolment's, else the current one
    pretest_done: bool = False
    posttest_attempts: int = 0
    evaluations: list[Any] = field(default_factory=list)  # FormState, when evaluations are open


def overview(session: Session, *, user_id: int, current: Outline) -> CourseOverview:
    """What the course page shows this user: her progress in the version she is enrolled in."""
    enrollment = learning_repository.enrollment(
        session, user_id=user_id, course_id=current.course_id
    )
    version = learning.version_for(session, enrollment=enrollment, current=current)
    if enrollment is None:
        return CourseOverview(learning.progress(version, None, set()), version)
    done = learning_repository.completed_keys(session, enrollment.id)
    # Attempts of the version she reads (one left on an older version by a move no longer counts)
    taken = [
        a
        for a in attempts.attempts(session, enrollment_id=enrollment.id)
        if version.quiz(a.quiz_id) is not None
    ]
    passed = any(a.kind == "posttest" and a.passed for a in taken)
    state = learning.progress(version, enrollment, done, posttest_passed=passed)
    forms = []
    if enrollment.status == "completed" or state.next_lesson is None:
        forms = evaluations.states(session, enrollment=enrollment, version=version)
    return CourseOverview(
        state,
        version,
        pretest_done=any(a.kind == "pretest" and a.status != "in_progress" for a in taken),
        posttest_attempts=sum(1 for a in taken if a.kind == "posttest"),
        evaluations=forms,
    )
