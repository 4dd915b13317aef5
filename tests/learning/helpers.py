"""Answering quizzes in tests: the right (or a wrong) response for a question of a paper."""

from __future__ import annotations

from typing import Any

from app.models import Question


def right(question: Question) -> Any:
    if question.type == "single":
        return next(str(c["id"]) for c in question.choices if c["correct"])
    if question.type == "multiple":
        return [str(c["id"]) for c in question.choices if c["correct"]]
    if question.type == "truefalse":
        return bool(question.answer)
    return question.answer[0]


def wrong(question: Question) -> Any:
    if question.type == "single":
        return next(str(c["id"]) for c in question.choices if not c["correct"])
    if question.type == "multiple":
        wrong_ids = [str(c["id"]) for c in question.choices if not c["correct"]]
        return wrong_ids[:1] or []
    if question.type == "truefalse":
        return not bool(question.answer)
    return "jawaban yang keliru"
