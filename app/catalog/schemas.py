from __future__ import annotations

from pydantic import BaseModel


class CourseOut(BaseModel):
    slug: str
    code: str
    title: str
    summary: str
    jp: int
    version: int
    competency_area: str
    level: str


class LessonOut(BaseModel):
    id: int
    slug: str
    title: str
    minutes: int
    completed: bool


class ModuleOut(BaseModel):
    slug: str
    title: str
    lessons: list[LessonOut]


class QuizOut(BaseModel):
    id: int
    kind: str
    title: str
    module: str | None = None


class OutlineOut(BaseModel):
    slug: str
    code: str
    title: str
    summary: str
    jp: int
    version: int
    passing_score: int
    max_attempts: int
    modules: list[ModuleOut]
    quizzes: list[QuizOut]
