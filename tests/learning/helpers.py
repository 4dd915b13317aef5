"""Answering quizzes in tests: the right (or a wrong) response for a question of a paper."""

from __future__ import annotations

from typing import Any

from app.courses.outline import QuestionOutline


def right(question: QuestionOutline) -> Any:
    if question.type == "single":
        return next(c.id for c in question.choices if c.correct)
    if question.type == "multiple":
        return [c.id for c in question.choices if c.correct]
    if question.type == "truefalse":
        return bool(question.answer)
    assert isinstance(question.answer, tuple)
    return question.answer[0]


def wrong(question: QuestionOutline) -> Any:
    if question.type == "single":
        return next(c.id for c in question.choices if not c.correct)
    if question.type == "multiple":
        wrong_ids = [c.id for c in question.choices if not c.correct]
        return wrong_ids[:1] or []
    if question.type == "truefalse":
        return not bool(question.answer)
    return "jawaban yang keliru"
