"""A course version's outline as immutable plain values (ARCHITECTURE.md rule 12).

Each process keeps recently used outlines (courses.repository.cached_outline) and shares them
between threads and requests. Values, not ORM objects: nothing can lazy-load on them, mutate
them or cascade them into a request's session, and attribute access is plain. Services that
write refer to rows by the ids these values carry."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from app.models import Course, CourseVersion, Lesson, Module, Question, Quiz


def freeze(value: Any) -> Any:
    """JSON read from a row, made read-only all the way down: dicts become read-only mappings,
    lists become tuples."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


@dataclass(frozen=True, slots=True)
class CourseOutline:
    """The course a version belongs to, as it stood when the outline was read."""

    id: int
    slug: str
    code: str
    status: str


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class LessonOutline:
    id: int
    module_id: int
    slug: str
    position: int
    title: str
    minutes: int
    video_url: str | None
    transcript: str | None
    body_html: str


@dataclass(frozen=True, slots=True)
class ModuleOutline:
    id: int
    version_id: int
    slug: str
    position: int
    title: str
    summary: str
    objectives: tuple[Objective, ...]
    lessons: tuple[LessonOutline, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    correct: bool  # never sent to a browser before the attempt is graded


@dataclass(frozen=True, slots=True)
class QuestionOutline:
    id: int
    quiz_id: int
    key: str  # the id written in the course file
    position: int
    type: str  # single | multiple | truefalse | short
    text: str
    choices: tuple[Choice, ...]
    # The answer and the explanation grade an attempt and are shown after it; never before.
    answer: bool | tuple[str, ...] | None  # truefalse: bool; short: accepted strings
    explanation: str
    objective: str | None


@dataclass(frozen=True, slots=True)
class QuizOutline:
    id: int
    version_id: int
    module_id: int | None
    module_slug: str | None
    kind: str  # pretest | module | posttest
    title: str
    draw: int | None
    draw_per_objective: int | None
    shuffle_choices: bool
    time_limit_minutes: int | None
    questions: tuple[QuestionOutline, ...]
    by_key: Mapping[str, QuestionOutline] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", MappingProxyType({q.key: q for q in self.questions}))

    @property
    def paper_size(self) -> int:
        """How many questions an attempt holds."""
        if self.draw_per_objective:
            per_objective = Counter(q.objective for q in self.questions if q.objective)
            return sum(min(self.draw_per_objective, n) for n in per_objective.values())
        return min(self.draw, len(self.questions)) if self.draw else len(self.questions)


@dataclass(frozen=True, slots=True)
class Outline:
    """One course version with its course, modules, lessons and quizzes."""

    id: int
    course_id: int
    number: int
    content_hash: str
    title: str
    summary: str
    jp: int
    competency_area: str
    level: str
    language: str
    authors: tuple[Mapping[str, Any], ...]
    passing_score: int
    max_attempts: int
    certificate_design: str
    author_version: int
    completion: Mapping[str, Any]
    review: str  # after_pass | after_last_attempt | never (the post-test's feedback)
    references: tuple[str, ...]
    evaluation: Mapping[str, Any] | None
    total_minutes: int
    published_at: datetime
    course: CourseOutline
    modules: tuple[ModuleOutline, ...]
    quizzes: tuple[QuizOutline, ...]
    # Lookups the pages make on every request, built once with the value.
    _modules: Mapping[str, ModuleOutline] = field(init=False, repr=False, compare=False)
    _quizzes: Mapping[int, QuizOutline] = field(init=False, repr=False, compare=False)
    _lessons: tuple[tuple[ModuleOutline, LessonOutline], ...] = field(
        init=False, repr=False, compare=False
    )
    _by_slugs: Mapping[tuple[str, str], tuple[ModuleOutline, LessonOutline]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        flat = tuple((m, les) for m in self.modules for les in m.lessons)
        object.__setattr__(self, "_modules", MappingProxyType({m.slug: m for m in self.modules}))
        object.__setattr__(self, "_quizzes", MappingProxyType({q.id: q for q in self.quizzes}))
        object.__setattr__(self, "_lessons", flat)
        by_slugs = {(m.slug, les.slug): (m, les) for m, les in flat}
        object.__setattr__(self, "_by_slugs", MappingProxyType(by_slugs))

    def module(self, slug: str) -> ModuleOutline | None:
        return self._modules.get(slug)

    def lesson(
        self, module_slug: str, lesson_slug: str
    ) -> tuple[ModuleOutline, LessonOutline] | None:
        """A lesson and its module, by their slugs."""
        return self._by_slugs.get((module_slug, lesson_slug))

    def lessons(self) -> tuple[tuple[ModuleOutline, LessonOutline], ...]:
        """Every lesson in reading order, with its module."""
        return self._lessons

    def quiz(self, quiz_id: int) -> QuizOutline | None:
        return self._quizzes.get(quiz_id)

    def quiz_of_kind(self, kind: str, module_slug: str | None = None) -> QuizOutline | None:
        """The pre-test or the post-test; a module quiz by its module's slug."""
        for quiz in self.quizzes:
            if quiz.kind == kind and (kind != "module" or quiz.module_slug == module_slug):
                return quiz
        return None

    @property
    def has_posttest(self) -> bool:
        return any(q.kind == "posttest" for q in self.quizzes)

    @property
    def has_pretest(self) -> bool:
        return any(q.kind == "pretest" for q in self.quizzes)


def build(version: CourseVersion) -> Outline:
    """The outline of a version whose course, modules, lessons and quizzes (with questions)
    are loaded."""
    slugs = {m.id: m.slug for m in version.modules}
    return Outline(
        id=version.id,
        course_id=version.course_id,
        number=version.number,
        content_hash=version.content_hash,
        title=version.title,
        summary=version.summary,
        jp=version.jp,
        competency_area=version.competency_area,
        level=version.level,
        language=version.language,
        authors=freeze(list(version.authors or [])),
        passing_score=version.passing_score,
        max_attempts=version.max_attempts,
        certificate_design=version.certificate_design,
        author_version=version.author_version,
        completion=freeze(dict(version.completion or {})),
        review=version.review,
        references=tuple(version.references or ()),
        evaluation=freeze(version.evaluation) if version.evaluation is not None else None,
        total_minutes=version.total_minutes,
        published_at=version.published_at,
        course=_course(version.course),
        modules=tuple(_module(m) for m in version.modules),
        quizzes=tuple(_quiz(q, slugs) for q in version.quizzes),
    )


def _course(course: Course) -> CourseOutline:
    return CourseOutline(id=course.id, slug=course.slug, code=course.code, status=course.status)


def _module(module: Module) -> ModuleOutline:
    return ModuleOutline(
        id=module.id,
        version_id=module.version_id,
        slug=module.slug,
        position=module.position,
        title=module.title,
        summary=module.summary,
        objectives=tuple(Objective(id=o["id"], text=o["text"]) for o in module.objectives or ()),
        lessons=tuple(_lesson(les) for les in module.lessons),
    )


def _lesson(lesson: Lesson) -> LessonOutline:
    return LessonOutline(
        id=lesson.id,
        module_id=lesson.module_id,
        slug=lesson.slug,
        position=lesson.position,
        title=lesson.title,
        minutes=lesson.minutes,
        video_url=lesson.video_url,
        transcript=lesson.transcript,
        body_html=lesson.body_html,
    )


def _quiz(quiz: Quiz, module_slugs: dict[int, str]) -> QuizOutline:
    return QuizOutline(
        id=quiz.id,
        version_id=quiz.version_id,
        module_id=quiz.module_id,
        module_slug=module_slugs.get(quiz.module_id) if quiz.module_id is not None else None,
        kind=quiz.kind,
        title=quiz.title,
        draw=quiz.draw,
        draw_per_objective=quiz.draw_per_objective,
        shuffle_choices=quiz.shuffle_choices,
        time_limit_minutes=quiz.time_limit_minutes,
        questions=tuple(question_outline(q) for q in quiz.questions),
    )


def question_outline(question: Question) -> QuestionOutline:
    answer: bool | tuple[str, ...] | None
    if isinstance(question.answer, list):
        answer = tuple(str(a) for a in question.answer)
    elif isinstance(question.answer, bool):
        answer = question.answer
    else:
        answer = None
    return QuestionOutline(
        id=question.id,
        quiz_id=question.quiz_id,
        key=question.key,
        position=question.position,
        type=question.type,
        text=question.text,
        choices=tuple(
            Choice(id=str(c["id"]), text=c["text"], correct=bool(c.get("correct")))
            for c in question.choices or ()
        ),
        answer=answer,
        explanation=question.explanation,
        objective=question.objective,
    )
