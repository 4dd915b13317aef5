"""The widyaiswara's view (`/trainer/…`): the courses a trainer teaches, their runs, each run's
learners × modules progress and who is stuck, a message to them, a learner's attempts, and an
extra attempt or more time for one learner on one quiz.

Who may see what is app/courses/teaching.py: a course's trainers see all its runs; a run's own
trainers see that run; admins everything. Loading functions raise NotFound otherwise."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.audit import service as audit
from app.core import clock
from app.core.errors import Invalid, NotFound
from app.courses import repository as courses
from app.courses import runs as course_runs
from app.courses import teaching
from app.courses.outline import Outline, QuestionOutline
from app.learning import repository as learning_repository
from app.mail import service as mail
from app.models import Attempt, Course, CourseRun, Enrollment, Notice, User
from app.trainer import repository

DEFAULT_STUCK_DAYS = 7
MAX_STUCK_DAYS = 365
FAILED_POSTTESTS_STUCK = 2
MAX_MESSAGE = 2000
MAX_EXTRA_ATTEMPTS = 5
MAX_EXTRA_MINUTES = 240


@dataclass(frozen=True)
class TaughtCourse:
    id: int
    slug: str
    title: str
    version: int
    code: str
    jp: int


def taught_courses(session: Session, *, user: User) -> list[TaughtCourse]:
    """The published courses `user` teaches (admins: all), and those where she trains a
    run, by title."""
    ids = teaching.taught_course_ids(session, user=user)
    if ids is not None:
        ids |= teaching.run_trainer_course_ids(session, user=user)
    return [
        TaughtCourse(c.id, c.slug, v.title, v.number, c.code, v.jp)
        for c, v in courses.published(session, course_ids=ids)
    ]


# -- load and authorise ------------------------------------------------------------------------


def course_for_trainer(session: Session, *, user: User, slug: str) -> Course:
    course = courses.course_by_slug(session, slug)
    if course is None or course.current_version is None:
        raise NotFound("Kursus tidak ditemukan.")
    if teaching.teaches(session, user=user, course_id=course.id):
        return course
    if course.id in teaching.run_trainer_course_ids(session, user=user):
        return course
    raise NotFound("Kursus tidak ditemukan.")


def run_for_trainer(session: Session, *, user: User, run_id: int) -> CourseRun:
    run = course_runs.run_by_id(session, run_id)
    if run is None or not teaching.trains_run(session, user=user, run=run):
        raise NotFound("Angkatan tidak ditemukan.")
    return run


def enrollment_for_trainer(session: Session, *, run: CourseRun, enrollment_id: int) -> Enrollment:
    found = repository.enrollment_in_run(session, run_id=run.id, enrollment_id=enrollment_id)
    if found is None:
        raise NotFound("Peserta tidak ditemukan di angkatan ini.")
    return found


# -- a course's runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    run: CourseRun
    learners: int


def runs_of_course(session: Session, *, user: User, course: Course) -> list[RunRow]:
    """All runs for the course's trainers (the open run is made at import, so it is among
    them); only her own runs for a trainer of single runs. Reads only (a GET page)."""
    if teaching.teaches(session, user=user, course_id=course.id):
        found = list(course_runs.runs_of(session, course_id=course.id))
    else:
        found = list(repository.runs_trained_by(session, course_id=course.id, user_id=user.id))
    sizes = repository.run_sizes(session, [r.id for r in found])
    return [RunRow(r, sizes.get(r.id, 0)) for r in found]


# -- a run's board -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleCell:
    title: str
    done: int
    total: int


@dataclass
class LearnerRow:
    enrollment: Enrollment
    modules: list[ModuleCell]
    done: int
    total: int
    last_activity: datetime
    failed_posttests: int
    passed_posttest: bool
    stuck: list[str] = field(default_factory=list)  # reasons, in Indonesian

    @property
    def user(self) -> User:
        return self.enrollment.user

    @property
    def percent(self) -> int:
        if self.enrollment.status == "completed":
            return 100
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class Board:
    run: CourseRun
    version: Outline
    modules: list[str]
    rows: list[LearnerRow]
    stuck_days: int

    @property
    def stuck(self) -> list[LearnerRow]:
        return [r for r in self.rows if r.stuck]


def stuck_days_of(raw: str | None) -> int:
    """N of "no activity for N days", from a query string; the default when absent or bad."""
    try:
        value = int((raw or "").strip())
    except ValueError:
        return DEFAULT_STUCK_DAYS
    return value if 1 <= value <= MAX_STUCK_DAYS else DEFAULT_STUCK_DAYS


def board(session: Session, *, run: CourseRun, stuck_days: int) -> Board:
    """Each learner of the run against the modules of the course's current version (progress
    is keyed by slugs, so it counts across versions); who is stuck: no activity for
    `stuck_days` days, or failed the post-test twice without passing."""
    version = courses.outline(session, run.course.current_version_id or 0)
    if version is None:
        raise NotFound("Kursus tidak ditemukan.")
    enrollments = list(repository.run_enrollments(session, run.id))
    ids = [e.id for e in enrollments]
    keys = _completed_keys(session, ids)
    lessons_at = repository.last_lesson_at(session, ids)
    attempts = repository.attempt_summary(session, ids)
    now = clock.now()
    quiet_since = now - timedelta(days=stuck_days)
    rows: list[LearnerRow] = []
    for e in enrollments:
        done_keys = keys.get(e.id, set())
        cells = [
            ModuleCell(
                m.title,
                sum(1 for lesson in m.lessons if f"{m.slug}/{lesson.slug}" in done_keys),
                len(m.lessons),
            )
            for m in version.modules
        ]
        last_attempt, failed, passed = attempts.get(e.id, (None, 0, False))
        last = max(
            t for t in (e.enrolled_at, lessons_at.get(e.id), last_attempt, e.completed_at) if t
        )
        row = LearnerRow(
            enrollment=e,
            modules=cells,
            done=sum(c.done for c in cells),
            total=sum(c.total for c in cells),
            last_activity=last,
            failed_posttests=failed,
            passed_posttest=passed,
        )
        if e.status != "completed":
            if last < quiet_since:
                row.stuck.append(f"tidak aktif {(now - last).days} hari")
            if failed >= FAILED_POSTTESTS_STUCK and not passed:
                row.stuck.append(f"gagal post-test {failed} kali")
        rows.append(row)
    return Board(run, version, [m.title for m in version.modules], rows, stuck_days)


def _completed_keys(session: Session, ids: list[int]) -> dict[int, set[str]]:
    return learning_repository.completed_keys_for(session, ids)


# -- a message to stuck learners ---------------------------------------------------------------


@dataclass(frozen=True)
class MessageOutcome:
    emails: int
    notices: int


def message_learners(
    session: Session,
    *,
    actor: User,
    run: CourseRun,
    enrollment_ids: list[int],
    text: str,
) -> MessageOutcome:
    """A trainer's message to chosen learners of the run: by e-mail through the outbox, or a
    notice in Cakap for those without an address. Audited (counts only, no text)."""
    text = (text or "").strip()
    if not enrollment_ids:
        raise Invalid("Pilih peserta yang akan dikirimi pesan.")
    if len(text) < 10:
        raise Invalid("Tulis pesan minimal 10 karakter.")
    if len(text) > MAX_MESSAGE:
        raise Invalid(f"Pesan paling panjang {MAX_MESSAGE} karakter.")
    chosen = repository.enrollments_in_run(session, run_id=run.id, enrollment_ids=enrollment_ids)
    if len(chosen) != len(set(enrollment_ids)):
        raise NotFound("Peserta tidak ditemukan di angkatan ini.")
    title = run.course.current_version.title if run.course.current_version else run.course.slug
    emails = notices = 0
    for e in chosen:
        context: dict[str, Any] = {
            "name": e.user.name,
            "trainer": actor.name,
            "course_title": title,
            "run_name": run.name,
            "message": text,
            "link": f"/courses/{run.course.slug}",
        }
        if e.user.email:
            mail.queue(session, to=e.user.email, template="trainer_message", context=context)
            emails += 1
        else:
            subject, _, _ = mail.render("trainer_message", context)
            session.add(
                Notice(
                    user_id=e.user_id,
                    kind="trainer.message",
                    title=subject[:300],
                    body=text[:1000],
                    link=context["link"],
                )
            )
            notices += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="run.message",
        object_type="course_run",
        object_id=run.id,
        detail={"learners": len(chosen), "emails": emails, "notices": notices},
    )
    return MessageOutcome(emails, notices)


# -- a learner's attempts ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerView:
    question: QuestionOutline
    response: str  # as the learner answered, in words
    correct: bool | None


@dataclass(frozen=True)
class AttemptView:
    attempt: Attempt
    title: str
    answers: list[AnswerView]


KIND_TITLES = {"pretest": "Pre-test", "posttest": "Post-test", "module": "Kuis modul"}


def _in_words(question: QuestionOutline, response: Any) -> str:
    if response is None:
        return "—"
    if question.type in ("single", "multiple"):
        texts = {c.id: c.text for c in question.choices}
        ids = response if isinstance(response, list) else [response]
        return "; ".join(texts.get(str(i), str(i)) for i in ids) or "—"
    if question.type == "truefalse":
        return "Benar" if response is True else "Salah" if response is False else "—"
    return str(response)


def learner_attempts(session: Session, *, enrollment: Enrollment) -> list[AttemptView]:
    """Every attempt of the learner in the course, with each question, her answer in words and
    whether it was right (once submitted)."""
    out: list[AttemptView] = []
    for attempt in repository.attempts_with_quiz(session, enrollment.id):
        by_key = assessments.questions_of(session, attempt)
        saved = assessments.saved_answers(session, attempt_id=attempt.id)
        results = attempt.results or {}
        views = [
            AnswerView(
                by_key[item["key"]],
                _in_words(by_key[item["key"]], saved.get(item["key"])),
                results.get(item["key"]) if attempt.status != "in_progress" else None,
            )
            for item in attempt.paper
            if item["key"] in by_key
        ]
        out.append(AttemptView(attempt, KIND_TITLES.get(attempt.kind, attempt.kind), views))
    return out


@dataclass(frozen=True)
class QuizChoice:
    key: str
    title: str
    timed: bool
    extra_attempts: int
    extra_minutes: int


def grantable_quizzes(session: Session, *, enrollment: Enrollment) -> list[QuizChoice]:
    """The pre- and post-test of the learner's version, with what was granted so far."""
    version = courses.outline(session, enrollment.version_id)
    if version is None:
        return []
    granted = {
        a.quiz_key: a for a in assessments.allowances_of(session, enrollment_id=enrollment.id)
    }
    out = []
    for quiz in version.quizzes:
        if quiz.kind not in ("pretest", "posttest"):
            continue
        row = granted.get(quiz.kind)
        out.append(
            QuizChoice(
                quiz.kind,
                KIND_TITLES[quiz.kind],
                bool(quiz.time_limit_minutes),
                row.extra_attempts if row else 0,
                row.extra_minutes if row else 0,
            )
        )
    return out


def parse_small(raw: str, *, label: str, maximum: int) -> int:
    value = (raw or "").strip() or "0"
    if not value.isascii() or not value.isdigit() or int(value) > maximum:
        raise Invalid(f"{label}: bilangan bulat 0–{maximum}.")
    return int(value)


def today() -> date:
    return clock.now().date()
