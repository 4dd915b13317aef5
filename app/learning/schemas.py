from datetime import datetime
from typing import Any

from pydantic import BaseModel


class EnrollmentOut(BaseModel):
    course: str
    status: str
    enrolled_at: datetime
    completed_at: datetime | None
    version: int


class CompletionOut(BaseModel):
    lesson_id: int
    completed: bool
    completed_at: datetime
    course_status: str


class ProgressOut(BaseModel):
    course: str
    percent: int
    status: str
    completed_at: datetime | None
    jp: int
    pretest_score: float | None = None
    posttest_score: float | None = None
    learning_gain: float | None = None


class ChoiceOut(BaseModel):
    id: str
    text: str


class QuestionOut(BaseModel):
    id: str
    type: str
    text: str
    choices: list[ChoiceOut]


class AttemptOut(BaseModel):
    id: int
    quiz_id: int
    kind: str
    number: int
    status: str
    deadline: datetime | None
    questions: list[QuestionOut]
    answers: dict[str, Any]


class AnswerIn(BaseModel):
    response: Any = None


class AnswerOut(BaseModel):
    question_id: str
    response: Any
    saved_at: datetime | None


class QuestionResultOut(BaseModel):
    """`correct` and `explanation` are left out (not null) while feedback is withheld."""

    id: str
    correct: bool | None = None
    explanation: str | None = None


class SubmissionOut(BaseModel):
    id: int
    status: str
    score: float
    passed: bool
    questions: list[QuestionResultOut]
    course_status: str
    # False: the course's review setting withholds the per-question feedback for now
    feedback: bool = True
