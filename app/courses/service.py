"""Course import: all-or-nothing, idempotent; a changed course becomes a new version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.core.errors import Invalid, NotFound
from app.courses import export, files, markdown, repository, runs, teaching
from app.courses.outline import Outline
from app.courses.parsed import CheckReport, ParsedCourse, ParsedQuiz, Problem
from app.models import (
    Course,
    CourseMedia,
    CourseVersion,
    Lesson,
    Module,
    Question,
    Quiz,
    User,
)


class CourseProblems(Invalid):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} masalah pada berkas kursus")
        self.problems = problems


@dataclass
class ImportOutcome:
    slug: str
    action: str  # created | updated | unchanged
    version: int
    warnings: list[str] = field(default_factory=list)  # e.g. a trainer NIP with no account


def check(path: Path) -> CheckReport:
    return files.check_all(path)


def import_courses(
    session: Session,
    *,
    path: Path,
    actor: User | None = None,
    origin: dict[str, str] | None = None,
) -> list[ImportOutcome]:
    """Import every course under `path`. Any problem anywhere: nothing is written. `origin`
    says, in the audit entry, where an import without a signed-in actor came from (the
    command and the operating-system account that ran it)."""
    parsed, problems = files.read_all(path)
    if problems:
        raise CourseProblems(problems)
    outcomes: list[ImportOutcome] = []
    for course in parsed:
        outcomes.append(_import_one(session, parsed=course, actor=actor, origin=origin))
    return outcomes


def import_parsed(session: Session, *, parsed: ParsedCourse, actor: User | None) -> ImportOutcome:
    """Import one course already read and checked (e.g. from a zip): the short write."""
    return _import_one(session, parsed=parsed, actor=actor)


def planned(session: Session, *, parsed: ParsedCourse) -> tuple[str, int]:
    """What importing `parsed` would do, without writing: (created | updated | unchanged,
    the version number the course would then have)."""
    existing = repository.course_by_slug(session, parsed.slug)
    if existing is None:
        return "created", 1
    current = existing.current_version
    if current is not None and _same_content(session, course=existing, parsed=parsed):
        return "unchanged", current.number
    return "updated", repository.latest_version_number(session, existing.id) + 1


def _same_content(session: Session, *, course: Course, parsed: ParsedCourse) -> bool:
    """Is `parsed` the course's current version? The same files (content hash), or files that
    read to the same content: an export, whose YAML is written afresh (export.py), comes back
    as the version it was written from, not as a new one. Trainers are left out: an import
    keeps them in step either way."""
    current = course.current_version
    if current is None:
        return False
    if current.content_hash == parsed.content_hash:
        return True
    stored = repository.version_files_source(session, current.id)
    if stored is None:
        return False
    mine = export.course_files(
        stored,
        code=course.code,
        trainers=[],
        media=repository.version_media(session, current.id),
    )
    candidate = _build_version(parsed, current.number)
    theirs = export.course_files(
        candidate, code=parsed.data.code, trainers=[], media=candidate.media
    )
    return mine == theirs


def file_trainer_nips(session: Session, *, course: Course) -> list[str]:
    """The NIPs of the trainers named by the course's file (not those assigned by hand)."""
    return sorted(
        u.nip
        for u, source in teaching.trainers_of(session, course_id=course.id)
        if source == "file" and u.nip
    )


def export_files(session: Session, *, course: Course) -> tuple[int, dict[str, bytes]]:
    """(version number, {path: content}) of the course's current version as course files."""
    if course.current_version_id is None:
        raise NotFound("Kursus ini belum memiliki versi terbit.")
    version = repository.version_files_source(session, course.current_version_id)
    if version is None:
        raise NotFound("Kursus ini belum memiliki versi terbit.")
    files_out = export.course_files(
        version,
        code=course.code,
        trainers=file_trainer_nips(session, course=course),
        media=repository.version_media(session, version.id),
    )
    return version.number, files_out


def _import_one(
    session: Session,
    *,
    parsed: ParsedCourse,
    actor: User | None,
    origin: dict[str, str] | None = None,
) -> ImportOutcome:
    existing = repository.course_by_slug(session, parsed.slug, for_update=True)
    by_code = repository.course_by_code(session, parsed.data.code)
    if by_code is not None and (existing is None or by_code.id != existing.id):
        raise CourseProblems(
            [
                Problem(
                    str(parsed.folder / "course.yaml"),
                    1,
                    f"code {parsed.data.code} already belongs to course {by_code.slug}",
                )
            ]
        )
    if existing is not None:
        current = existing.current_version
        if current is not None and _same_content(session, course=existing, parsed=parsed):
            # Unchanged content, but the trainers it names may have an account by now.
            sync = teaching.sync_file_trainers(
                session, course=existing, nips=list(parsed.data.trainers)
            )
            runs.open_run(session, course_id=existing.id)
            return ImportOutcome(parsed.slug, "unchanged", current.number, sync.warnings)
        existing.code = parsed.data.code
        course = existing
        number = repository.latest_version_number(session, course.id) + 1
        action = "updated"
    else:
        course = Course(slug=parsed.slug, code=parsed.data.code, status="published")
        session.add(course)
        session.flush()
        number = 1
        action = "created"

    version = _build_version(parsed, number)
    version.course_id = course.id
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    course.status = "published"
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"course.{action}",
        object_type="course",
        object_id=course.slug,
        detail={"version": number, "hash": parsed.content_hash[:12], **(origin or {})},
    )
    runs.open_run(session, course_id=course.id)
    sync = teaching.sync_file_trainers(session, course=course, nips=list(parsed.data.trainers))
    return ImportOutcome(parsed.slug, action, number, sync.warnings)


def _build_version(parsed: ParsedCourse, number: int) -> CourseVersion:
    data = parsed.data
    media_prefix = f"/courses/{parsed.slug}/media/{number}"
    version = CourseVersion(
        number=number,
        content_hash=parsed.content_hash,
        title=data.title,
        summary=data.summary,
        jp=data.jp,
        competency_area=data.competency_area,
        level=data.level,
        language=data.language,
        authors=[a.model_dump(exclude_none=True) for a in data.authors],
        passing_score=data.passing_score,
        max_attempts=data.max_attempts,
        certificate_design=data.certificate_design,
        author_version=data.version,
        completion=data.completion.model_dump(),
        review=data.review,
        references=list(data.references),
        evaluation=parsed.evaluation.model_dump() if parsed.evaluation else None,
    )
    total = 0
    for pm in sorted(parsed.modules, key=lambda m: m.position):
        module = Module(
            slug=pm.slug,
            position=pm.position,
            title=pm.data.title,
            summary=pm.data.summary,
            objectives=[o.model_dump() for o in pm.data.objectives],
        )
        for pl in sorted(pm.lessons, key=lambda lesson: lesson.position):
            total += pl.front.minutes
            module.lessons.append(
                Lesson(
                    slug=pl.slug,
                    position=pl.position,
                    title=pl.front.title,
                    minutes=pl.front.minutes,
                    video_url=str(pl.front.video_url) if pl.front.video_url else None,
                    transcript=pl.front.transcript,
                    body_md=pl.body,
                    body_html=markdown.render(pl.body, media_prefix=media_prefix),
                )
            )
        version.modules.append(module)
        if pm.quiz:
            quiz = _build_quiz(pm.quiz)
            quiz.module = module
            version.quizzes.append(quiz)
    for pq in (parsed.pretest, parsed.posttest):
        if pq:
            version.quizzes.append(_build_quiz(pq))
    version.total_minutes = total
    for pmedia in parsed.media:
        version.media.append(
            CourseMedia(
                path=pmedia.path,
                content_type=pmedia.content_type,
                sha256=hashlib.sha256(pmedia.data).hexdigest(),
                data=pmedia.data,
            )
        )
    return version


def _build_quiz(parsed: ParsedQuiz) -> Quiz:
    data = parsed.data
    quiz = Quiz(
        kind=parsed.kind,
        title=data.title,
        draw=data.draw,
        draw_per_objective=data.draw_per_objective,
        shuffle_choices=data.shuffle_choices,
        time_limit_minutes=data.time_limit_minutes,
    )
    for position, q in enumerate(data.questions, start=1):
        choices = [
            {"id": c.id or str(i), "text": c.text, "correct": c.correct}
            for i, c in enumerate(q.choices or [], start=1)
        ]
        answer: object = None
        if q.type == "truefalse":
            answer = q.answer
        elif q.type == "short":
            answer = [a for a in (q.answers or []) if a.strip()]
        quiz.questions.append(
            Question(
                key=q.id,
                position=position,
                type=q.type,
                text=q.text,
                choices=choices,
                answer=answer,
                explanation=q.explanation,
                objective=q.objective,
            )
        )
    return quiz


def published_course(session: Session, *, slug: str) -> Outline:
    """The current version of a published course, with its outline loaded; else NotFound."""
    version = repository.published_outline(session, slug)
    if version is None:
        raise NotFound("Kursus tidak ditemukan.")
    return version
