"""Every query of the analytics: aggregates in SQL where the database can do them, and the
few rows the per-objective gain and the evaluation summaries need."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Row, and_, case, cast, func, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Answer,
    Attempt,
    CourseRun,
    CourseRunTrainer,
    CourseVersion,
    Enrollment,
    EvaluationResponse,
    Instansi,
    Question,
    Unit,
    User,
)

# Categories are decided on g computed in floating point; scores such as 33.33 make a gain
# that is 0.3 on paper land a hair below it. The same tolerance is used in Python (gain.py).
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Filter:
    """Which learners: the viewer's scope, narrowed to an instansi, a unit subtree, a year."""

    course_id: int
    people: ColumnElement[bool]
    instansi_id: int | None = None
    unit_ids: frozenset[int] | None = None
    year_from: datetime | None = None  # the year (WIB) of the learner's last post-test
    year_to: datetime | None = None
    run_id: int | None = None  # one run's enrolments


def _learners(f: Filter) -> list[ColumnElement[bool]]:
    """WHERE clauses on Enrollment joined with User: both tests taken, in scope."""
    clauses = [
        Enrollment.course_id == f.course_id,
        Enrollment.pretest_score.is_not(None),
        Enrollment.posttest_score.is_not(None),
        f.people,
    ]
    if f.instansi_id is not None:
        clauses.append(User.instansi_id == f.instansi_id)
    if f.unit_ids is not None:
        clauses.append(User.unit_id.in_(sorted(f.unit_ids)))
    if f.run_id is not None:
        clauses.append(Enrollment.run_id == f.run_id)
    if f.year_from is not None and f.year_to is not None:
        post = aliased(Attempt)  # apart from the attempts test_attempts() reads
        last = (
            select(func.max(post.submitted_at))
            .where(
                post.enrollment_id == Enrollment.id,
                post.kind == "posttest",
                post.submitted_at.is_not(None),
            )
            .correlate(Enrollment)
            .scalar_subquery()
        )
        clauses.append(and_(last >= f.year_from, last < f.year_to))
    return clauses


def gain_by_unit(session: Session, f: Filter) -> Sequence[Row[Any]]:
    """Per (instansi, unit) of the learners: how many, the sums of their pre- and post-test
    scores, and of their normalised gains g with the count per category (g is undefined for a
    pre-test of 100, so those are left out of the gain sums and counted apart)."""
    pre, post = Enrollment.pretest_score, Enrollment.posttest_score
    defined = pre < 100
    g = (post - pre) / (cast(100, Float) - pre)

    def count(*conditions: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    stmt = (
        select(
            User.instansi_id,
            User.unit_id,
            func.count().label("n"),
            func.sum(pre).label("sum_pre"),
            func.sum(post).label("sum_post"),
            count(defined).label("n_g"),
            func.coalesce(func.sum(case((defined, g), else_=None)), 0).label("sum_g"),
            count(defined, g >= 0.7 - EPSILON).label("tinggi"),
            count(defined, g < 0.7 - EPSILON, g >= 0.3 - EPSILON).label("sedang"),
            count(defined, g < 0.3 - EPSILON).label("rendah"),
        )
        .join(User, User.id == Enrollment.user_id)
        .where(*_learners(f))
        .group_by(User.instansi_id, User.unit_id)
    )
    return session.execute(stmt).all()


def test_attempts(session: Session, f: Filter) -> Sequence[Row[Any]]:
    """The graded pre- and post-test attempts of the learners (for the gain per objective)."""
    stmt = (
        select(
            Attempt.enrollment_id,
            Attempt.kind,
            Attempt.quiz_id,
            Attempt.number,
            Attempt.score,
            Attempt.results,
        )
        .join(Enrollment, Enrollment.id == Attempt.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(
            *_learners(f),
            Attempt.kind.in_(("pretest", "posttest")),
            Attempt.results.is_not(None),
        )
    )
    return session.execute(stmt).all()


def question_objectives(session: Session, quiz_ids: Collection[int]) -> dict[int, dict[str, str]]:
    """{quiz id: {question key: objective id}} for the questions that name an objective."""
    if not quiz_ids:
        return {}
    stmt = select(Question.quiz_id, Question.key, Question.objective).where(
        Question.quiz_id.in_(sorted(quiz_ids)), Question.objective.is_not(None)
    )
    out: dict[int, dict[str, str]] = {}
    for quiz_id, key, objective in session.execute(stmt):
        out.setdefault(quiz_id, {})[key] = objective
    return out


def instansi(session: Session, ids: Collection[int]) -> list[Instansi]:
    if not ids:
        return []
    stmt = select(Instansi).where(Instansi.id.in_(sorted(ids))).order_by(Instansi.name)
    return list(session.scalars(stmt))


def units(session: Session, instansi_ids: Collection[int]) -> list[Unit]:
    """The units of these instansi, in one query."""
    if not instansi_ids:
        return []
    stmt = select(Unit).where(Unit.instansi_id.in_(sorted(instansi_ids))).order_by(Unit.code)
    return list(session.scalars(stmt))


def units_by_code(session: Session, code: str, instansi_id: int | None) -> list[Unit]:
    stmt = select(Unit).where(Unit.code == code)
    if instansi_id is not None:
        stmt = stmt.where(Unit.instansi_id == instansi_id)
    return list(session.scalars(stmt.limit(2)))


def instansi_by_code(session: Session, code: str) -> Instansi | None:
    return session.scalars(select(Instansi).where(Instansi.code == code)).first()


def evaluation_responses(
    session: Session, *, course_id: int, instansi_id: int | None, everyone: bool
) -> Sequence[Row[Any]]:
    """(form id, run id, trainer id, answers, comment) of a course's responses: every
    response for an admin, else those recorded for one instansi (responses without an instansi
    are left out)."""
    stmt = select(
        EvaluationResponse.form_id,
        EvaluationResponse.run_id,
        EvaluationResponse.trainer_id,
        EvaluationResponse.answers,
        EvaluationResponse.comment,
    ).where(EvaluationResponse.course_id == course_id)
    if not everyone:
        stmt = stmt.where(EvaluationResponse.instansi_id == instansi_id)
    return session.execute(stmt).all()


GRADED = ("submitted", "expired")  # handed in, by the learner or by the clock, and graded


def _graded(quiz_id: int, run_id: int | None) -> list[ColumnElement[bool]]:
    clauses = [
        Attempt.quiz_id == quiz_id,
        Attempt.status.in_(GRADED),
        Attempt.results.is_not(None),
    ]
    if run_id is not None:
        in_run = select(Enrollment.id).where(Enrollment.run_id == run_id)
        clauses.append(Attempt.enrollment_id.in_(in_run))
    return clauses


def graded_attempts(session: Session, *, quiz_id: int, run_id: int | None) -> Sequence[Row[Any]]:
    """(id, score, results) of a quiz's graded attempts (of one run's enrolments when asked),
    for the item analysis."""
    stmt = (
        select(Attempt.id, Attempt.score, Attempt.results)
        .where(*_graded(quiz_id, run_id))
        .order_by(Attempt.id)
    )
    return session.execute(stmt).all()


def graded_answers(session: Session, *, quiz_id: int, run_id: int | None) -> Iterator[Row[Any]]:
    """(attempt id, question key, response) of the same attempts, streamed in batches."""
    stmt = (
        select(Answer.attempt_id, Answer.question_key, Answer.response)
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .where(*_graded(quiz_id, run_id))
        .execution_options(yield_per=2000)
    )
    yield from session.execute(stmt)


def version_id(session: Session, *, course_id: int, number: int) -> int | None:
    stmt = select(CourseVersion.id).where(
        CourseVersion.course_id == course_id, CourseVersion.number == number
    )
    return session.scalars(stmt).first()


def version_numbers(session: Session, *, course_id: int) -> list[int]:
    stmt = (
        select(CourseVersion.number)
        .where(CourseVersion.course_id == course_id)
        .order_by(CourseVersion.number.desc())
    )
    return list(session.scalars(stmt))


def course_runs(session: Session, *, course_id: int) -> Sequence[Row[Any]]:
    """(id, name, starts_on) of a course's runs."""
    stmt = (
        select(CourseRun.id, CourseRun.name, CourseRun.starts_on)
        .where(CourseRun.course_id == course_id)
        .order_by(CourseRun.starts_on, CourseRun.id)
    )
    return session.execute(stmt).all()


def runs_trained(session: Session, *, user_id: int, course_id: int) -> set[int]:
    """The runs of a course on which this user is named as a trainer."""
    stmt = (
        select(CourseRunTrainer.run_id)
        .join(CourseRun, CourseRun.id == CourseRunTrainer.run_id)
        .where(CourseRunTrainer.user_id == user_id, CourseRun.course_id == course_id)
    )
    return set(session.scalars(stmt))


def evaluation_rows(
    session: Session,
    *,
    course_id: int,
    instansi_id: int | None,
    run_ids: frozenset[int] | None,
) -> Sequence[Row[Any]]:
    """(form id, run id, trainer id, answers, comment) of a course's responses: of one
    instansi, and of some runs, when asked."""
    stmt = select(
        EvaluationResponse.form_id,
        EvaluationResponse.run_id,
        EvaluationResponse.trainer_id,
        EvaluationResponse.answers,
        EvaluationResponse.comment,
    ).where(EvaluationResponse.course_id == course_id)
    if instansi_id is not None:
        stmt = stmt.where(EvaluationResponse.instansi_id == instansi_id)
    if run_ids is not None:
        stmt = stmt.where(EvaluationResponse.run_id.in_(sorted(run_ids)))
    return session.execute(stmt).all()


def user_names(session: Session, ids: Collection[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(User.id, User.name).where(User.id.in_(sorted(ids)))
    return {row.id: row.name for row in session.execute(stmt)}
