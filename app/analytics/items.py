"""Item analysis (*analisis butir soal*, PRODUCT.md §2) of a course's pre- or post-test.

Which attempts: the graded attempts of the quiz of one course version, i.e. those handed in
(status `submitted`) and those the time limit closed (`expired`: graded on the answers saved
in time, and counted in the learner's score like any other). An attempt still in progress
does not count. Questions are drawn from a pool, so each question is analysed over the
attempts whose paper held it, and each attempt's total score (its `score`, 0–100) ranks it.

Per question, over its n attempts:
- correct means full marks: a `multiple` question with some of the right choices is wrong
  (the grading has no partial credit; `Attempt.results` holds true only for a full answer);
- difficulty P = correct / n: < 0.30 *sukar*, 0.30–0.70 *sedang* (both ends included),
  > 0.70 *mudah*;
- discrimination D = P(upper) − P(lower): k = 27% of n rounded half up to a whole attempt, at
  least 1; the attempts are ranked by score, highest first, ties broken by attempt id (the
  earlier attempt ranks higher), and the first k are the upper group, the last k the lower one.
  The order is total, so the groups are always k attempts each and the same every time; with
  n < 4 the two groups overlap (n = 1: D = 0). D < 0 *negatif*, 0 ≤ D < 0.20 *jelek*,
  0.20 ≤ D < 0.40 *cukup*, 0.40 ≤ D ≤ 0.70 *baik*, > 0.70 *baik sekali* (a boundary value
  belongs to the better category, as the gain categories do);
- the choices: how many attempts picked each choice (a `multiple` answer picks several, so the
  counts may add up to more than n; `truefalse` has the choices `true` and `false`; a `short`
  question has none), and how many left the question unanswered.
- the flag to revise: too easy (P > 0.70, *mudah*), too hard (P < 0.30, *sukar*), or weak
  discrimination (D < 0.20, negative included). The thresholds are the category boundaries, so
  a question is flagged exactly when a category says it is outside the useful range.

The categories are decided on exact fractions (no floating-point edge at 0.30 or 0.70); the
figures are reported rounded to two decimals.

Cost: two queries whatever the number of attempts (the attempts with their per-question
results, and their answers streamed in batches); the counting is linear in the answers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from app.analytics import repository
from app.core.errors import Invalid, NotFound
from app.courses import repository as courses_repository
from app.courses.outline import Outline, QuestionOutline, QuizOutline

QUIZ_KINDS = ("posttest", "pretest")
QUIZ_LABELS = {"posttest": "Post-test", "pretest": "Pre-test"}

EASY = Fraction(7, 10)  # P above this: mudah
HARD = Fraction(3, 10)  # P below this: sukar
WEAK = Fraction(1, 5)  # D below this: jelek (or negatif below 0)
GROUP_SHARE = Fraction(27, 100)

DIFFICULTY_LABELS = {"sukar": "Sukar", "sedang": "Sedang", "mudah": "Mudah"}
DISCRIMINATION_LABELS = {
    "negatif": "Negatif",
    "jelek": "Jelek",
    "cukup": "Cukup",
    "baik": "Baik",
    "baik_sekali": "Baik sekali",
}
FLAG_LABELS = {
    "terlalu_mudah": "Terlalu mudah (P > 0,70)",
    "terlalu_sukar": "Terlalu sukar (P < 0,30)",
    "daya_beda_rendah": "Daya beda rendah (D < 0,20)",
    "daya_beda_negatif": "Daya beda negatif: revisi atau buang",
}
TRUEFALSE_CHOICES = (("true", "Benar"), ("false", "Salah"))


def difficulty_category(p: Fraction) -> str:
    if p < HARD:
        return "sukar"
    return "mudah" if p > EASY else "sedang"


def discrimination_category(d: Fraction) -> str:
    if d < 0:
        return "negatif"
    if d < WEAK:
        return "jelek"
    if d < Fraction(2, 5):
        return "cukup"
    return "baik" if d <= EASY else "baik_sekali"


def flags(p: Fraction, d: Fraction) -> tuple[str, ...]:
    out = []
    if p > EASY:
        out.append("terlalu_mudah")
    if p < HARD:
        out.append("terlalu_sukar")
    if d < 0:
        out.append("daya_beda_negatif")
    elif d < WEAK:
        out.append("daya_beda_rendah")
    return tuple(out)


def group_size(n: int) -> int:
    """27% of n rounded half up to a whole attempt, at least 1 (0 when there is none)."""
    if n <= 0:
        return 0
    return max(1, int(GROUP_SHARE * n + Fraction(1, 2)))


@dataclass(frozen=True, slots=True)
class ChoiceCount:
    id: str
    text: str
    correct: bool
    picked: int

    def share(self, attempts: int) -> float:
        return self.picked / attempts if attempts else 0.0


@dataclass(frozen=True, slots=True)
class ItemFigures:
    id: str  # the question's key, as written in the course file
    position: int
    type: str
    text: str
    objective: str | None
    attempts: int  # graded attempts whose paper held the question
    correct: int
    group: int  # k, the size of the upper and of the lower group
    upper_correct: int
    lower_correct: int
    difficulty: float | None  # None: no attempt held it
    discrimination: float | None
    difficulty_category: str | None
    discrimination_category: str | None
    flags: tuple[str, ...]
    choices: tuple[ChoiceCount, ...]
    unanswered: int

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    course: Outline  # the version analysed
    quiz: QuizOutline
    attempts: int
    questions: list[ItemFigures]
    versions: list[int]  # every version number of the course, newest first

    @property
    def flagged(self) -> int:
        return sum(1 for q in self.questions if q.flagged)


def version_outline(session: Session, *, course: Outline, number: int | None) -> Outline:
    """The course's version `number` (the current one when None)."""
    if number is None or number == course.number:
        return course
    found = repository.version_id(session, course_id=course.course_id, number=number)
    outline = courses_repository.outline(session, found) if found is not None else None
    if outline is None:
        raise NotFound(f"Versi {number} kursus ini tidak ada.")
    return outline


def quiz_of(course: Outline, kind: str) -> QuizOutline:
    if kind not in QUIZ_KINDS:
        raise Invalid("Pilih pre-test atau post-test.")
    quiz = next((q for q in course.quizzes if q.kind == kind), None)
    if quiz is None:
        raise NotFound(f"Versi {course.number} kursus ini tidak memiliki {QUIZ_LABELS[kind]}.")
    return quiz


def analyse(
    session: Session,
    *,
    course: Outline,
    quiz: str = "posttest",
    version: int | None = None,
    run_id: int | None = None,
) -> ItemAnalysis:
    """The item analysis of the course's pre- or post-test in one version (default: current),
    over all its attempts or those of one run's enrolments (the caller has checked the run
    belongs to the course)."""
    outline = version_outline(session, course=course, number=version)
    found = quiz_of(outline, quiz)
    attempts = repository.graded_attempts(session, quiz_id=found.id, run_id=run_id)
    picks = _picks(session, found, run_id)
    return ItemAnalysis(
        course=outline,
        quiz=found,
        attempts=len(attempts),
        questions=figures(found.questions, attempts, picks),
        versions=repository.version_numbers(session, course_id=course.course_id),
    )


def _picks(session: Session, quiz: QuizOutline, run_id: int | None) -> dict[tuple[int, str], Any]:
    """{(attempt id, question key): response} of the quiz's graded attempts."""
    return {
        (row.attempt_id, row.question_key): row.response
        for row in repository.graded_answers(session, quiz_id=quiz.id, run_id=run_id)
    }


def figures(
    questions: Sequence[QuestionOutline],
    attempts: Sequence[Any],
    responses: Mapping[tuple[int, str], Any],
) -> list[ItemFigures]:
    """The figures of each question from (id, score, results) rows and the responses.
    Free of the database, so the rules can be read (and tested) on their own."""
    ranked = sorted(attempts, key=lambda a: (-(a.score or 0.0), a.id))
    return [_item(q, ranked, responses) for q in questions]


def _item(
    question: QuestionOutline, ranked: Sequence[Any], responses: Mapping[tuple[int, str], Any]
) -> ItemFigures:
    held = [a for a in ranked if question.key in (a.results or {})]
    n = len(held)
    marks = [bool(a.results[question.key]) for a in held]
    k = group_size(n)
    upper, lower = sum(marks[:k]), sum(marks[n - k :]) if k else 0
    counts, unanswered = _count_choices(
        question, [responses.get((a.id, question.key)) for a in held]
    )
    if n:
        p = Fraction(sum(marks), n)
        d = Fraction(upper, k) - Fraction(lower, k)
        difficulty: float | None = round(float(p), 2)
        discrimination: float | None = round(float(d), 2)
        categories = (difficulty_category(p), discrimination_category(d))
        flagged = flags(p, d)
    else:
        difficulty = discrimination = None
        categories = (None, None)  # type: ignore[assignment]
        flagged = ()
    return ItemFigures(
        id=question.key,
        position=question.position,
        type=question.type,
        text=question.text,
        objective=question.objective,
        attempts=n,
        correct=sum(marks),
        group=k,
        upper_correct=upper,
        lower_correct=lower,
        difficulty=difficulty,
        discrimination=discrimination,
        difficulty_category=categories[0],
        discrimination_category=categories[1],
        flags=flagged,
        choices=counts,
        unanswered=unanswered,
    )


def _count_choices(
    question: QuestionOutline, responses: Sequence[Any]
) -> tuple[tuple[ChoiceCount, ...], int]:
    if question.type in ("single", "multiple"):
        options = [(c.id, c.text, c.correct) for c in question.choices]
    elif question.type == "truefalse":
        options = [(i, t, (i == "true") is bool(question.answer)) for i, t in TRUEFALSE_CHOICES]
    else:
        options = []
    picked: dict[str, int] = {i: 0 for i, _, _ in options}
    unanswered = 0
    for response in responses:
        ids = _picked_ids(response)
        if not ids:
            unanswered += 1
        for choice_id in ids:
            if choice_id in picked:
                picked[choice_id] += 1
    return tuple(ChoiceCount(i, t, c, picked[i]) for i, t, c in options), unanswered


def _picked_ids(response: Any) -> set[str]:
    """The choice ids a response picks (a short answer's text picks none but is an answer)."""
    if response is None or response == "" or response == []:
        return set()
    if isinstance(response, bool):
        return {"true" if response else "false"}
    if isinstance(response, list):
        return {str(r) for r in response}
    if isinstance(response, str):
        return {response}
    return set()
