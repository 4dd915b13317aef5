"""Fixed post-test attempts of smart-governance for the item-analysis tests, with the figures
computed by hand in tests/analytics/test_item_analysis.py.

Eleven graded attempts, A1 … A11 in the order they were created (so their ids increase), and
A12 still in progress. Ranked by score, ties by id: A1 90 | A2 80, A3 80, A4 80 | A5 70 |
A6 60 | A7 50 | A8 30, A9 30, A10 30 | A11 20. Four questions:
- Q1 sg-post-01 (single, right choice "2"), on every paper;
- Q2 sg-post-02 (single, right choice "3"), drawn onto A1, A3, A5, A7, A9, A11 only;
- Q3 sg-post-04 (multiple, right choices "1", "2", "4"), on every paper; A2 picks two of the
  three right choices (partial: wrong);
- Q4 sg-post-22 (truefalse, right answer false), on every paper.
sg-post-03 is in the pool but on no paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.courses import runs
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import Answer, Attempt, Enrollment, User
from tests import factories
from tests.factories import UserFactory

Q1, Q2, Q3, Q4 = "sg-post-01", "sg-post-02", "sg-post-04", "sg-post-22"
AT = datetime(2026, 6, 1, tzinfo=UTC)

# name: (score, {question key: response}); None: on the paper, left unanswered
PAPERS: dict[str, tuple[float, dict[str, Any]]] = {
    "A1": (90, {Q1: "2", Q2: "1", Q3: ["1", "2", "4"], Q4: False}),
    "A2": (80, {Q1: "2", Q3: ["1", "2"], Q4: True}),
    "A3": (80, {Q1: "2", Q2: "4", Q3: ["1", "2", "4"], Q4: True}),
    "A4": (80, {Q1: "2", Q3: ["1", "2", "4"], Q4: False}),
    "A5": (70, {Q1: "2", Q2: "3", Q3: ["1", "2", "4"], Q4: True}),
    "A6": (60, {Q1: "2", Q3: ["1", "2", "4"], Q4: None}),
    "A7": (50, {Q1: "1", Q2: "4", Q3: ["1", "2", "4"], Q4: True}),
    "A8": (30, {Q1: "2", Q3: ["1", "2", "4"], Q4: True}),
    "A9": (30, {Q1: "3", Q2: "3", Q3: ["1", "2", "4"], Q4: True}),
    "A10": (30, {Q1: "1", Q3: ["1", "2", "4"], Q4: True}),
    "A11": (20, {Q1: None, Q2: "3", Q3: ["3"], Q4: True}),
}
RIGHT: dict[str, Any] = {Q1: "2", Q2: "3", Q3: ["1", "2", "4"], Q4: False}
# In progress: its answers must count nowhere (all right, to move every P if they did).
OPEN = {Q1: "2", Q2: "3", Q3: ["1", "2", "4"], Q4: False}


@dataclass
class ItemData:
    course: Outline
    learners: dict[str, User]
    attempts: dict[str, Attempt]


def _attempt(
    session: Session,
    enrollment: Enrollment,
    quiz_id: int,
    answers: dict[str, Any],
    score: float | None,
    status: str,
) -> Attempt:
    graded = status != "in_progress"
    row = Attempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz_id,
        kind="posttest",
        number=1,
        status=status,
        started_at=AT,
        submitted_at=AT if graded else None,
        score=score,
        passed=(score or 0) >= 70 if graded else None,
        paper=[{"key": k, "choices": []} for k in answers],
        results={k: v == RIGHT[k] for k, v in answers.items()} if graded else None,
    )
    session.add(row)
    session.flush()
    for key, response in answers.items():
        if response is not None:
            session.add(Answer(attempt_id=row.id, question_key=key, response=response))
    session.flush()
    return row


def add(
    session: Session,
    course: Outline,
    name: str,
    score: float | None,
    answers: dict[str, Any],
    status: str = "submitted",
    run_id: int | None = None,
) -> tuple[User, Attempt]:
    """A learner enrolled in the course (its open run unless given) with one post-test
    attempt."""
    factories.bind(session)
    quiz = next(q for q in course.quizzes if q.kind == "posttest")
    learner = UserFactory(name=f"Peserta {name}")
    enrollment = Enrollment(
        user_id=learner.id,
        course_id=course.course_id,
        version_id=course.id,
        run_id=run_id or runs.open_run(session, course_id=course.course_id).id,
    )
    session.add(enrollment)
    session.flush()
    return learner, _attempt(session, enrollment, quiz.id, answers, score, status)


def build(session: Session) -> ItemData:
    course = courses.published_course(session, slug="smart-governance")
    learners: dict[str, User] = {}
    attempts: dict[str, Attempt] = {}
    for name, (score, answers) in PAPERS.items():
        learners[name], attempts[name] = add(session, course, name, score, answers)
    learners["A12"], attempts["A12"] = add(session, course, "A12", None, OPEN, "in_progress")
    session.commit()
    return ItemData(course, learners, attempts)
