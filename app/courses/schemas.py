"""The course file format (docs/course-format.md) as Pydantic models."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.asn.nip import InvalidNip, normalise_nip, validate_nip

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Author(_File):
    name: str = Field(min_length=1)
    role: str | None = None


class Completion(_File):
    lessons: Literal["all", "none"] = "all"
    posttest: Literal["required", "optional"] = "required"
    evaluations: Literal["required", "optional"] = "required"


class CourseFile(_File):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]{1,19}$")
    title: str = Field(min_length=3, max_length=200)
    summary: str = Field(min_length=10)
    jp: int = Field(ge=1, le=200)
    competency_area: Literal["literasi-digital", "smart-governance", "data"]
    level: Literal["dasar", "menengah", "lanjut"]
    language: Literal["id", "en"] = "id"
    authors: list[Author] = Field(min_length=1)
    passing_score: int = Field(default=70, ge=0, le=100)
    max_attempts: int = Field(default=3, ge=1, le=20)
    certificate_design: str = Field(default="default", pattern=SLUG)
    version: int = Field(default=1, ge=1)
    completion: Completion = Completion()
    # When a learner sees the post-test's correct answers and explanations (PRODUCT.md §4);
    # the pre-test never shows them, module quizzes always do (they are practice).
    review: Literal["after_pass", "after_last_attempt", "never"] = "after_last_attempt"
    references: list[str] = Field(min_length=1)
    # How the lessons' minutes become JP: the declared `jp` must equal the rounded sum
    jp_rounding: Literal["nearest", "up", "down"] = "nearest"
    # NIPs (or NI PPPK) of the widyaiswara who teach it (PRODUCT.md §4); an import links the
    # accounts that exist and warns about the others (app/courses/teaching.py)
    trainers: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("trainers", mode="before")
    @classmethod
    def _trainer_nips(cls, value: object) -> object:
        """YAML reads an unquoted NIP as a number: take it as written."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("trainers")
    @classmethod
    def _valid_trainers(cls, value: list[str]) -> list[str]:
        nips: list[str] = []
        for index, raw in enumerate(value):
            nip = normalise_nip(raw)
            try:
                validate_nip(nip, kind="PNS")
            except InvalidNip as pns:
                try:
                    validate_nip(nip, kind="PPPK")
                except InvalidNip:
                    raise ValueError(f"trainers[{index}]: {raw!r}: {pns.message}") from None
            if nip in nips:
                raise ValueError(f"trainers[{index}]: NIP {nip} is listed twice")
            nips.append(nip)
        return nips


class Objective(_File):
    id: str = Field(pattern=SLUG, max_length=80)  # unique within the course
    text: str = Field(min_length=3)


class ModuleFile(_File):
    title: str = Field(min_length=3, max_length=200)
    summary: str = ""
    objectives: list[Objective] = Field(min_length=1)


class LessonFront(_File):
    title: str = Field(min_length=3, max_length=200)
    minutes: int = Field(ge=1, le=600)
    video_url: HttpUrl | None = None
    transcript: str | None = None


class Choice(_File):
    id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,20}$")
    text: str = Field(min_length=1)
    correct: bool = False


class QuestionFile(_File):
    id: str = Field(pattern=r"^[a-z0-9]+([-_][a-z0-9]+)*$", max_length=80)
    type: Literal["single", "multiple", "truefalse", "short"]
    text: str = Field(min_length=3)
    choices: list[Choice] | None = None
    answer: bool | None = None
    answers: list[str] | None = None
    explanation: str = Field(min_length=3)
    objective: str | None = Field(default=None, pattern=SLUG, max_length=80)

    @model_validator(mode="after")
    def _shape(self) -> QuestionFile:
        if self.type in ("single", "multiple"):
            if not self.choices or len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least 2 choices")
            correct = sum(1 for c in self.choices if c.correct)
            if self.type == "single" and correct != 1:
                raise ValueError(f"a single question needs exactly 1 correct choice, has {correct}")
            if self.type == "multiple" and correct < 1:
                raise ValueError("a multiple question needs at least 1 correct choice")
            ids = [c.id or str(i) for i, c in enumerate(self.choices, start=1)]
            if len(set(ids)) != len(ids):
                raise ValueError("choice ids must be unique within the question")
            if self.answer is not None or self.answers is not None:
                raise ValueError(f"a {self.type} question takes choices, not answer/answers")
        elif self.type == "truefalse":
            if self.answer is None:
                raise ValueError("a truefalse question needs answer: true or false")
            if self.choices or self.answers:
                raise ValueError("a truefalse question takes only answer")
        else:
            if not self.answers or not any(a.strip() for a in self.answers):
                raise ValueError("a short question needs a non-empty answers list")
            if self.choices or self.answer is not None:
                raise ValueError("a short question takes only answers")
        return self


class QuizFile(_File):
    title: str = Field(min_length=1)
    draw: int | None = Field(default=None, ge=1)
    draw_per_objective: int | None = Field(default=None, ge=1)
    shuffle_choices: bool = True
    time_limit_minutes: int | None = Field(default=None, ge=1, le=600)
    questions: list[QuestionFile] = Field(min_length=1)

    @field_validator("draw_per_objective")
    @classmethod
    def _one_way_to_draw(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and info.data.get("draw") is not None:
            raise ValueError("use either draw or draw_per_objective, not both")
        return value

    @model_validator(mode="after")
    def _draw_fits(self) -> QuizFile:
        if self.draw is not None and self.draw > len(self.questions):
            raise ValueError(
                f"draw is {self.draw} but the pool has only {len(self.questions)} questions"
            )
        return self

    @property
    def measured_objectives(self) -> list[str]:
        """The objectives the pool measures, in the order they first appear."""
        return list(dict.fromkeys(q.objective for q in self.questions if q.objective))

    @property
    def paper_size(self) -> int:
        """How many questions an attempt holds."""
        if self.draw_per_objective is not None:
            return self.draw_per_objective * len(self.measured_objectives)
        return self.draw or len(self.questions)


class EvaluationQuestion(_File):
    id: str = Field(pattern=SLUG)
    text: str = Field(min_length=3)


class EvaluationForm(_File):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=3)
    questions: list[EvaluationQuestion] = Field(min_length=1)


class EvaluationFile(_File):
    forms: list[EvaluationForm] = Field(min_length=1)
