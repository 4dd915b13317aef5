"""Evaluation summaries (evaluasi pengajar, evaluasi penyelenggaraan): per form and question
the number of responses, the mean on the 1–5 scale, the distribution, and the comments.

Anonymity. A response is stored apart from the learner (app/models/evaluation.py): the
receipt says who filled a form, the response what was answered, and nothing joins them. A
summary must not join them either, so below MIN_RESPONSES responses to a form only the count
is shown: no mean, no distribution, no comment (with four responses or fewer, a colleague who
knows who took the course could tell whose answer is whose; five is the usual floor for
course-evaluation reports). A question answered fewer times than that (added in a later
version of the form) has its mean withheld the same way. Comments are shown in alphabetical
order, not in the order they were written.

Scope. HR may read only her own instansi's responses, so a response must say which instansi
it came from: it stores the instansi of the learner at submission (instansi_id), nothing
finer. Why the instansi and not the unit: the unit would let the summary be narrowed to a
handful of people, and the receipts (who filled the form) would then often be enough to
attribute a response; an instansi holds hundreds or thousands of ASN, of whom at least five
answered before anything is shown. So an HR officer whose role is narrowed to a unit subtree
sees the summary of her whole instansi: the summary is about the course and its trainers, not
about her people, and it cannot be cut finer without cutting into the anonymity. Responses
stored before the instansi was recorded have none: only admins see them (an admin's summary
counts every response). There are no filters (year, version) on purpose: two overlapping
summaries differing by one response would show that response.
What remains: a summary read before and after one more learner submits shows how she
answered; that is the price of any running total, and the reason it starts at five.

Runs and trainers (issue 13). The results per run and per trainer
(app/analytics/evaluation_results.py) show only cells (form, run, trainer) of at least
MIN_RESPONSES responses. So that this summary and those results cannot be subtracted from
each other to reveal a withheld cell, this summary counts the same cells: a response counts
only when its (form, run, trainer) cell, among the responses the viewer reads, holds at least
MIN_RESPONSES (responses from before runs were recorded form one cell per form). And a trainer
(who is not HR or admin) reads the trainer form about herself only, as in the results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.analytics import access, repository
from app.courses.outline import Outline
from app.evaluations import service as evaluations
from app.models import User

MIN_RESPONSES = 5
SCALE = tuple(evaluations.SCALE)  # 1..5
SCALE_LABELS = evaluations.SCALE  # 1: Sangat kurang … 5: Sangat baik


@dataclass(frozen=True, slots=True)
class QuestionSummary:
    id: str
    text: str
    n: int
    mean: float | None  # None below MIN_RESPONSES
    distribution: Mapping[int, int] | None  # score -> count; None below MIN_RESPONSES

    def share(self, score: int) -> float:
        """The part of the answers that gave this score, 0..1 (for the bars)."""
        if not self.distribution or not self.n:
            return 0.0
        return self.distribution.get(score, 0) / self.n


@dataclass(frozen=True, slots=True)
class FormSummary:
    id: str
    title: str
    responses: int  # every response the viewer reads
    questions: list[QuestionSummary]
    comments: list[str] | None  # None below MIN_RESPONSES
    counted: int | None = None  # of them, in cells of at least MIN_RESPONSES (None: all)

    @property
    def shown(self) -> bool:
        base = self.responses if self.counted is None else self.counted
        return base >= MIN_RESPONSES


@dataclass(frozen=True, slots=True)
class CourseEvaluations:
    course: Outline
    forms: list[FormSummary]
    whole_instansi: bool  # an HR officer scoped to a unit reads her whole instansi's summary


def summary(session: Session, *, viewer: User, course: Outline) -> CourseEvaluations:
    """The course's evaluation forms (its own, else the defaults) summarised over the responses
    the viewer may read: all for an admin, her instansi's for HR (all versions of the course)."""
    scope = access.course_scope(session, viewer=viewer, course_id=course.course_id)
    rows: Sequence[Any] = (
        []
        if scope.nobody
        else repository.evaluation_responses(
            session,
            course_id=course.course_id,
            instansi_id=scope.instansi_id,
            everyone=scope.everyone,
        )
    )
    if not viewer.has_role("hr", "admin"):
        rows = [
            r
            for r in rows
            if r.form_id not in _trainer_forms(course) or r.trainer_id in (None, viewer.id)
        ]
    by_form: dict[str, list[Any]] = {}
    for row in rows:
        by_form.setdefault(row.form_id, []).append(row)
    forms = [
        _form(form, by_form.get(form["id"], []), countable(by_form.get(form["id"], [])))
        for form in evaluations.forms_of(course)
    ]
    return CourseEvaluations(course=course, forms=forms, whole_instansi=scope.unit_ids is not None)


def _trainer_forms(course: Outline) -> set[str]:
    return {f["id"] for f in evaluations.forms_of(course) if evaluations.is_trainer_form(f)}


def countable(rows: Sequence[Any]) -> list[Any]:
    """The responses whose (form, run, trainer) cell holds at least MIN_RESPONSES of them."""
    cells = Counter((r.form_id, r.run_id, r.trainer_id) for r in rows)
    return [r for r in rows if cells[(r.form_id, r.run_id, r.trainer_id)] >= MIN_RESPONSES]


def _form(
    form: Mapping[str, Any], rows: list[Any], counted: list[Any] | None = None
) -> FormSummary:
    """The figures come from `counted` (default: all the rows); while it is below
    MIN_RESPONSES only counts are shown, of all the rows."""
    base = rows if counted is None else counted
    shown = len(base) >= MIN_RESPONSES
    questions = []
    for q in form["questions"]:
        scores = [
            value
            for row in (base if shown else rows)
            if isinstance(value := (row.answers or {}).get(q["id"]), int)
            and not isinstance(value, bool)
            and value in SCALE
        ]
        enough = shown and len(scores) >= MIN_RESPONSES
        questions.append(
            QuestionSummary(
                id=q["id"],
                text=q["text"],
                n=len(scores),
                mean=round(sum(scores) / len(scores), 2) if enough else None,
                distribution={s: scores.count(s) for s in SCALE} if enough else None,
            )
        )
    comments = sorted(c for row in base if (c := (row.comment or "").strip())) if shown else None
    return FormSummary(
        id=form["id"],
        title=form["title"],
        responses=len(rows),
        questions=questions,
        comments=comments,
        counted=None if counted is None else len(counted),
    )
