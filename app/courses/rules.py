"""Rules that span a course's files: objectives and the kisi-kisi, fair pre/post draws, JP.

A learner's gain (post − pre) only means something when both tests measure the same objectives
with the same number of questions each; these rules let the checker hold authors to that."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.courses.parsed import ParsedModule, ParsedQuiz, Problem, Source
from app.courses.schemas import CourseFile

TEST_KINDS = {"pretest": "pre-test", "posttest": "post-test"}


@dataclass
class Findings:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class _Declared:
    source: Source
    index: int  # position in the module's objectives list


def check_objectives(
    modules: list[ParsedModule], quizzes: list[ParsedQuiz], findings: Findings
) -> None:
    """Objective ids are unique in the course; questions name declared objectives; every
    pre-/post-test question names one; an objective no pre-/post-test measures is a warning."""
    declared = _declared_objectives(modules, findings)
    for quiz in quizzes:
        _check_question_objectives(quiz, declared, findings)
    measured = {
        q.objective for quiz in quizzes if quiz.kind in TEST_KINDS for q in quiz.data.questions
    }
    for objective_id, where in declared.items():
        if objective_id not in measured:
            findings.warnings.append(
                where.source.problem(
                    ("objectives", where.index, "id"),
                    f"objective {objective_id!r} is not measured by any pre-test or post-test "
                    "question (kisi-kisi)",
                )
            )


def _declared_objectives(modules: list[ParsedModule], findings: Findings) -> dict[str, _Declared]:
    declared: dict[str, _Declared] = {}
    for module in modules:
        for index, objective in enumerate(module.data.objectives):
            if objective.id in declared:
                other = declared[objective.id].source.path.parent.name
                findings.errors.append(
                    module.source.problem(
                        ("objectives", index, "id"),
                        f"objective id {objective.id!r} is also used in {other}; "
                        "objective ids are unique within the course",
                    )
                )
                continue
            declared[objective.id] = _Declared(module.source, index)
    return declared


def _check_question_objectives(
    quiz: ParsedQuiz, declared: dict[str, _Declared], findings: Findings
) -> None:
    for index, question in enumerate(quiz.data.questions):
        if question.objective is None:
            if quiz.kind in TEST_KINDS:
                findings.errors.append(
                    quiz.source.problem(
                        ("questions", index),
                        f"questions[{index}]: every {TEST_KINDS[quiz.kind]} question needs "
                        "objective: (the id of a module objective it measures)",
                    )
                )
        elif question.objective not in declared:
            findings.errors.append(
                quiz.source.problem(
                    ("questions", index, "objective"),
                    f"questions[{index}].objective: unknown objective {question.objective!r} "
                    "(not declared in any module.yaml of the course)",
                )
            )


def check_draws(
    pretest: ParsedQuiz | None,
    posttest: ParsedQuiz | None,
    module_quizzes: list[ParsedQuiz],
    findings: Findings,
) -> None:
    """Each objective has K questions to draw from; pre and post draw alike."""
    for quiz in module_quizzes:
        if quiz.data.draw_per_objective is not None:
            findings.errors.append(
                quiz.source.problem(
                    ("draw_per_objective",),
                    "draw_per_objective is for pretest.yaml and posttest.yaml only",
                )
            )
    for test in (pretest, posttest):
        if test is not None:
            _check_pool_per_objective(test, findings)
    if pretest is not None and posttest is not None:
        _check_pre_post_alike(pretest, posttest, findings)


def _check_pool_per_objective(quiz: ParsedQuiz, findings: Findings) -> None:
    k = quiz.data.draw_per_objective
    if k is None:
        return
    for objective_id in quiz.data.measured_objectives:
        count = sum(1 for q in quiz.data.questions if q.objective == objective_id)
        if count < k:
            findings.errors.append(
                quiz.source.problem(
                    ("draw_per_objective",),
                    f"draw_per_objective is {k} but objective {objective_id!r} has only "
                    f"{count} question{'s' if count != 1 else ''} in this pool",
                )
            )


def _check_pre_post_alike(pretest: ParsedQuiz, posttest: ParsedQuiz, findings: Findings) -> None:
    pre_k, post_k = pretest.data.draw_per_objective, posttest.data.draw_per_objective
    if pre_k is None or post_k is None:
        return
    if pre_k != post_k:
        findings.errors.append(
            posttest.source.problem(
                ("draw_per_objective",),
                f"draw_per_objective is {post_k} here but {pre_k} in pretest.yaml; "
                "the pre-test and post-test must draw the same number per objective",
            )
        )
    pre, post = set(pretest.data.measured_objectives), set(posttest.data.measured_objectives)
    if pre != post:
        findings.errors.append(
            posttest.source.problem(
                ("draw_per_objective",),
                "the pre-test and post-test must measure the same objectives; "
                f"only in posttest.yaml: {_listing(post - pre)}; "
                f"only in pretest.yaml: {_listing(pre - post)}",
            )
        )


def _listing(ids: set[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def rounded_jp(minutes: int, *, minutes_per_jp: int, rounding: str) -> int:
    """Whole JP for `minutes` of lessons; `nearest` rounds halves up."""
    if rounding == "up":
        return -(-minutes // minutes_per_jp)
    if rounding == "down":
        return minutes // minutes_per_jp
    return (2 * minutes + minutes_per_jp) // (2 * minutes_per_jp)


def check_jp(
    course: CourseFile,
    source: Source,
    modules: list[ParsedModule],
    *,
    minutes_per_jp: int,
    findings: Findings,
) -> None:
    """The declared JP is the lessons' minutes in JP, rounded as the course says."""
    minutes = sum(lesson.front.minutes for module in modules for lesson in module.lessons)
    expected = rounded_jp(minutes, minutes_per_jp=minutes_per_jp, rounding=course.jp_rounding)
    if course.jp != expected:
        findings.errors.append(
            source.problem(
                ("jp",),
                f"jp is {course.jp} but the lessons take {minutes} minutes = "
                f"{minutes / minutes_per_jp:.2f} JP of {minutes_per_jp} minutes, "
                f"which rounds ({course.jp_rounding}) to {expected}",
            )
        )
