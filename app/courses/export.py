"""A course version written back as the files of PRODUCT.md §4 (the inverse of files.py).

What the database keeps is enough to give files that read back to the same version: every field
of course.yaml, module.yaml, the lessons (front matter and Markdown as written), the quizzes and
media. Two things are not kept and are rebuilt: `jp_rounding` (the first of nearest, up, down that
turns the lessons' minutes into the declared JP, so the check passes as it did) and `trainers`
(the NIPs of the accounts linked from the file; a NIP in the original file that matched no account
is not stored anywhere, see app/courses/teaching.py). Comments and layout of the original YAML are
not kept either: the export is the canonical form of the content."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from app.config import get_settings
from app.courses import rules
from app.models import CourseMedia, CourseVersion, Quiz


def _yaml(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )
    return text.encode("utf-8")


def _rounding(jp: int, minutes: int) -> str:
    per_jp = get_settings().minutes_per_jp
    for rounding in ("nearest", "up", "down"):
        if rules.rounded_jp(minutes, minutes_per_jp=per_jp, rounding=rounding) == jp:
            return rounding
    return "nearest"


def _course_yaml(version: CourseVersion, *, code: str, trainers: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "title": version.title,
        "summary": version.summary,
        "jp": version.jp,
        "jp_rounding": _rounding(version.jp, version.total_minutes),
        "competency_area": version.competency_area,
        "level": version.level,
        "language": version.language,
        "authors": [dict(a) for a in version.authors or []],
        "passing_score": version.passing_score,
        "max_attempts": version.max_attempts,
        "certificate_design": version.certificate_design,
        "version": version.author_version,
        "completion": dict(version.completion or {}),
        "review": version.review,
        "references": list(version.references or []),
    }
    if trainers:
        data["trainers"] = list(trainers)
    return data


def _quiz_yaml(quiz: Quiz) -> dict[str, Any]:
    data: dict[str, Any] = {"title": quiz.title}
    if quiz.draw is not None:
        data["draw"] = quiz.draw
    if quiz.draw_per_objective is not None:
        data["draw_per_objective"] = quiz.draw_per_objective
    data["shuffle_choices"] = quiz.shuffle_choices
    if quiz.time_limit_minutes is not None:
        data["time_limit_minutes"] = quiz.time_limit_minutes
    questions: list[dict[str, Any]] = []
    for q in sorted(quiz.questions, key=lambda q: q.position):
        question: dict[str, Any] = {"id": q.key, "type": q.type, "text": q.text}
        if q.type in ("single", "multiple"):
            question["choices"] = [
                {"id": str(c["id"]), "text": c["text"], "correct": bool(c.get("correct"))}
                for c in q.choices or []
            ]
        elif q.type == "truefalse":
            question["answer"] = bool(q.answer)
        else:
            question["answers"] = [str(a) for a in q.answer or []]
        question["explanation"] = q.explanation
        if q.objective is not None:
            question["objective"] = q.objective
        questions.append(question)
    data["questions"] = questions
    return data


def course_files(
    version: CourseVersion,
    *,
    code: str,
    trainers: list[str],
    media: Iterable[CourseMedia],
) -> dict[str, bytes]:
    """{path inside the course folder: content} for a version whose modules, lessons and quizzes
    (with their questions) are loaded. The same content always gives the same bytes."""
    out: dict[str, bytes] = {
        "course.yaml": _yaml(_course_yaml(version, code=code, trainers=trainers))
    }
    folders: dict[int, str] = {}
    for module in sorted(version.modules, key=lambda m: m.position):
        folder = f"{module.position:02d}-{module.slug}"
        folders[id(module)] = folder
        out[f"{folder}/module.yaml"] = _yaml(
            {
                "title": module.title,
                "summary": module.summary,
                "objectives": [{"id": o["id"], "text": o["text"]} for o in module.objectives],
            }
        )
        for lesson in sorted(module.lessons, key=lambda les: les.position):
            front: dict[str, Any] = {"title": lesson.title, "minutes": lesson.minutes}
            if lesson.video_url is not None:
                front["video_url"] = lesson.video_url
            if lesson.transcript is not None:
                front["transcript"] = lesson.transcript
            text = b"---\n" + _yaml(front) + b"---\n" + lesson.body_md.encode("utf-8")
            out[f"{folder}/{lesson.position:02d}-{lesson.slug}.md"] = text
    for quiz in version.quizzes:
        if quiz.kind == "module" and quiz.module is not None:
            out[f"{folders[id(quiz.module)]}/quiz.yaml"] = _yaml(_quiz_yaml(quiz))
        elif quiz.kind in ("pretest", "posttest"):
            out[f"{quiz.kind}.yaml"] = _yaml(_quiz_yaml(quiz))
    if version.evaluation is not None:
        out["evaluation.yaml"] = _yaml(dict(version.evaluation))
    for item in media:
        out[f"media/{item.path}"] = bytes(item.data)
    return dict(sorted(out.items()))
