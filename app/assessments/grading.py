"""Grading rules, free of the database: what counts as a correct response."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from app.courses.outline import QuestionOutline

_DECIMAL = re.compile(r"(?<=\d)[.,](?=\d)")
_NOT_WORD = re.compile(r"[^\w,]+|(?<!\d),|,(?!\d)")


def normalise_short(text: str) -> str:
    """Case, spaces and punctuation do not matter; a decimal point equals a decimal comma."""
    value = unicodedata.normalize("NFKC", text or "").casefold()
    value = _DECIMAL.sub(",", value)
    value = _NOT_WORD.sub(" ", value)
    return " ".join(value.split())


def correct_choice_ids(question: QuestionOutline) -> set[str]:
    return {c.id for c in question.choices if c.correct}


def is_correct(question: QuestionOutline, response: Any) -> bool:
    if response is None:
        return False
    if question.type == "single":
        return isinstance(response, str) and {response} == correct_choice_ids(question)
    if question.type == "multiple":
        return isinstance(response, list) and set(map(str, response)) == correct_choice_ids(
            question
        )
    if question.type == "truefalse":
        return isinstance(response, bool) and response is bool(question.answer)
    if question.type == "short":
        accepted = {normalise_short(a) for a in _accepted(question)}
        return isinstance(response, str) and normalise_short(response) in accepted
    return False


def describe_correct(question: QuestionOutline) -> str:
    """The right answer in words, for the result page after submission."""
    if question.type in ("single", "multiple"):
        return "; ".join(c.text for c in question.choices if c.correct)
    if question.type == "truefalse":
        return "Benar" if question.answer else "Salah"
    return " / ".join(_accepted(question))


def sample_response(question: QuestionOutline, *, correct: bool) -> Any:
    """A right or a wrong response to a question (demo data and load tests)."""
    if question.type == "single":
        ids = [c.id for c in question.choices if c.correct == correct]
        return ids[0]
    if question.type == "multiple":
        if correct:
            return sorted(correct_choice_ids(question))
        return [c.id for c in question.choices if not c.correct][:1]
    if question.type == "truefalse":
        return bool(question.answer) if correct else not bool(question.answer)
    return (_accepted(question) or ("",))[0] if correct else "tidak tahu"


def _accepted(question: QuestionOutline) -> tuple[str, ...]:
    """The accepted answers of a short question."""
    return question.answer if isinstance(question.answer, tuple) else ()
