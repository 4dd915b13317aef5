"""Evaluation results of a course per run (angkatan) and per trainer, with the trend across
runs: what the trainer pages and the results API show. The course-wide summary of the HR
report stays in app/analytics/evaluations.py; this module adds the cut by run and trainer.

Anonymity (read app/analytics/evaluations.py first). A cut finer than the course invites
subtraction: were a run of three responses withheld while the course total (which holds them)
is shown, the total minus the other runs would give the three away. So here every figure is
built from whole runs that each reached MIN_RESPONSES responses (for that form and trainer):
a run below it is withheld in the trend and left out of the totals too, and only its count of
responses is shown. Then no shown figure holds a withheld response, and no difference of two
shown figures is finer than a run of at least five. Within a shown run a question answered
fewer than five times has its mean withheld (as in the course summary).

Who reads what:
- admins: every response;
- HR: the responses of her own instansi (stored with each response), every trainer;
- a trainer of the course (app/courses/teaching.py): every response of the course, but of the
  trainer form only those about herself (and those about no one in particular: runs without a
  trainer, and responses from before trainers were recorded);
- a trainer named on some runs only: the responses of those runs, and of the trainer form only
  those about herself.
Anyone else is told the course does not exist (the route's dependency, app/analytics/deps.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.analytics import repository
from app.analytics.evaluations import MIN_RESPONSES, SCALE, FormSummary, _form
from app.core.errors import NotFound
from app.courses import teaching
from app.courses.outline import Outline
from app.evaluations import service as evaluations
from app.evaluations.service import TrainerRef
from app.models import User

NO_RUN = "Sebelum angkatan dicatat"


@dataclass(frozen=True, slots=True)
class RunRef:
    id: int | None  # None: responses stored before runs were recorded
    name: str
    starts_on: date | None


@dataclass(frozen=True, slots=True)
class TrendRow:
    run: RunRef
    responses: int
    shown: bool  # at least MIN_RESPONSES responses
    overall: float | None  # the mean of every score given in the run; None when withheld
    means: Mapping[str, float | None]  # question id -> mean; None when withheld


@dataclass(frozen=True, slots=True)
class ResultGroup:
    form_id: str
    title: str
    about_trainer: bool
    trainer: TrainerRef | None  # the trainer form: whom it is about (None: no one in particular)
    summary: FormSummary  # over the runs shown
    withheld: int  # responses in runs below MIN_RESPONSES, counted in no figure
    trend: list[TrendRow]
    questions: list[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class EvaluationResults:
    course: Outline
    run: RunRef | None  # narrowed to one run
    groups: list[ResultGroup]
    runs: list[RunRef]  # the runs the viewer may pick


@dataclass(frozen=True, slots=True)
class _Reader:
    instansi_id: int | None  # HR: her instansi only
    run_ids: frozenset[int] | None  # a trainer of some runs only
    trainer_id: int | None  # a trainer: of the trainer form, only what is about her (or no one)
    nobody: bool = False


def reader_of(session: Session, *, viewer: User, course_id: int) -> _Reader:
    scope = accounts.scope_of(session, viewer)
    if scope.everyone:
        return _Reader(None, None, None)
    if viewer.has_role("hr"):
        if scope.instansi_id is None:
            return _Reader(None, None, None, nobody=True)
        return _Reader(scope.instansi_id, None, None)
    if teaching.teaches(session, user=viewer, course_id=course_id):
        return _Reader(None, None, viewer.id)
    runs = repository.runs_trained(session, user_id=viewer.id, course_id=course_id)
    if not runs:
        raise NotFound("Kursus tidak ditemukan.")
    return _Reader(None, frozenset(runs), viewer.id)


def course_results(
    session: Session, *, viewer: User, course: Outline, run_id: int | None = None
) -> EvaluationResults:
    """The results of the course's evaluation forms per run and per trainer, over the
    responses the viewer may read (optionally one run)."""
    reader = reader_of(session, viewer=viewer, course_id=course.course_id)
    all_runs = {
        r.id: RunRef(r.id, r.name, r.starts_on)
        for r in repository.course_runs(session, course_id=course.course_id)
        if reader.run_ids is None or r.id in reader.run_ids
    }
    if run_id is not None and run_id not in all_runs:
        raise NotFound("Angkatan tidak ditemukan.")
    rows: Sequence[Any] = (
        []
        if reader.nobody
        else repository.evaluation_rows(
            session,
            course_id=course.course_id,
            instansi_id=reader.instansi_id,
            run_ids=reader.run_ids if run_id is None else frozenset({run_id}),
        )
    )
    trainer_ids = {r.trainer_id for r in rows if r.trainer_id is not None}
    names = repository.user_names(session, trainer_ids)
    groups: list[ResultGroup] = []
    for form in evaluations.forms_of(course):
        mine = [r for r in rows if r.form_id == form["id"]]
        if not evaluations.is_trainer_form(form):
            groups.append(_group(form, None, mine, all_runs, about_trainer=False))
            continue
        about: dict[int | None, list[Any]] = {}
        for r in mine:
            if reader.trainer_id is None or r.trainer_id in (None, reader.trainer_id):
                about.setdefault(r.trainer_id, []).append(r)
        if reader.trainer_id is not None:
            about.setdefault(reader.trainer_id, [])  # her own section, even when empty
            names.setdefault(reader.trainer_id, viewer.name)
        if not about:
            about[None] = []
        for trainer_id in sorted(about, key=lambda t: (t is None, names.get(t or 0, ""), t or 0)):
            ref = TrainerRef(trainer_id, names.get(trainer_id, "")) if trainer_id else None
            groups.append(_group(form, ref, about[trainer_id], all_runs, about_trainer=True))
    return EvaluationResults(
        course=course,
        run=all_runs[run_id] if run_id is not None else None,
        groups=groups,
        runs=sorted(all_runs.values(), key=_run_order),
    )


def _run_order(run: RunRef) -> tuple[date, int]:
    return (run.starts_on or date.min, run.id or 0)


def _group(
    form: Mapping[str, Any],
    trainer: TrainerRef | None,
    rows: list[Any],
    runs: Mapping[int, RunRef],
    *,
    about_trainer: bool,
) -> ResultGroup:
    by_run: dict[int | None, list[Any]] = {}
    for r in rows:
        by_run.setdefault(r.run_id, []).append(r)
    trend: list[TrendRow] = []
    counted: list[Any] = []
    withheld = 0
    for run_id, found in by_run.items():
        ref = runs.get(run_id) if run_id is not None else None
        if ref is None:
            ref = RunRef(None, NO_RUN, None)
        shown = len(found) >= MIN_RESPONSES
        if shown:
            counted.extend(found)
        else:
            withheld += len(found)
        trend.append(_trend_row(form, ref, found, shown))
    trend.sort(key=lambda t: _run_order(t.run))
    return ResultGroup(
        form_id=form["id"],
        title=form["title"],
        about_trainer=about_trainer,
        trainer=trainer,
        summary=_form(form, counted),
        withheld=withheld,
        trend=trend,
        questions=list(form["questions"]),
    )


def _scores(rows: Sequence[Any], question_id: str) -> list[int]:
    return [
        value
        for row in rows
        if isinstance(value := (row.answers or {}).get(question_id), int)
        and not isinstance(value, bool)
        and value in SCALE
    ]


def _trend_row(form: Mapping[str, Any], run: RunRef, rows: list[Any], shown: bool) -> TrendRow:
    means: dict[str, float | None] = {}
    every: list[int] = []
    for q in form["questions"]:
        scores = _scores(rows, q["id"])
        every.extend(scores)
        enough = shown and len(scores) >= MIN_RESPONSES
        means[q["id"]] = round(sum(scores) / len(scores), 2) if enough else None
    overall = round(sum(every) / len(every), 2) if shown and every else None
    return TrendRow(run=run, responses=len(rows), shown=shown, overall=overall, means=means)
