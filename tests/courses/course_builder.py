"""A small course that passes every check, written into a temporary folder, for tests that break
one rule at a time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

SLUG = "uji-tujuan"
OBJECTIVES = ["tc-m1-o1", "tc-m1-o2", "tc-m2-o1", "tc-m2-o2"]


def _question(qid: str, objective: str | None) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": qid,
        "type": "truefalse",
        "text": f"Pernyataan untuk soal {qid}.",
        "answer": True,
        "explanation": "Karena pernyataan ini benar.",
    }
    if objective is not None:
        question["objective"] = objective
    return question


def _test(prefix: str, title: str, *, per_objective: int, k: int) -> dict[str, Any]:
    questions = [
        _question(f"tc-{prefix}-{objective.removeprefix('tc-')}-{n}", objective)
        for objective in OBJECTIVES
        for n in range(1, per_objective + 1)
    ]
    return {"title": title, "draw_per_objective": k, "questions": questions}


def dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    dump(path, data)


def line_of(path: Path, needle: str) -> int:
    """The 1-based number of the first line of `path` that contains `needle`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def write_lesson(path: Path, *, minutes: int) -> None:
    path.write_text(
        f"---\ntitle: Pelajaran {path.stem}\nminutes: {minutes}\n---\n\nIsi pelajaran.\n",
        encoding="utf-8",
    )


def build_course(root: Path) -> Path:
    """Two modules of 45 minutes (2 JP), two objectives each; a pre-test with 2 questions per
    objective and a post-test with 3, both drawing 2 per objective; a module quiz whose
    question names no objective (allowed)."""
    folder = root / SLUG
    dump(
        folder / "course.yaml",
        {
            "code": "UJI-TUJUAN",
            "title": "Kursus Uji Tujuan",
            "summary": "Kursus kecil untuk menguji aturan tujuan pembelajaran.",
            "jp": 2,
            "competency_area": "data",
            "level": "dasar",
            "authors": [{"name": "Ade Setiadi, S.T., M.Si."}],
            "references": ["Buku acuan."],
        },
    )
    for number in (1, 2):
        module = folder / f"0{number}-modul-{number}"
        dump(
            module / "module.yaml",
            {
                "title": f"Modul {number}",
                "objectives": [
                    {"id": f"tc-m{number}-o{i}", "text": f"Peserta mampu melakukan hal {i}."}
                    for i in (1, 2)
                ],
            },
        )
        write_lesson(module / "01-pelajaran.md", minutes=45)
    dump(
        folder / "01-modul-1" / "quiz.yaml",
        {"title": "Kuis Modul 1", "questions": [_question("tc-kuis-1", None)]},
    )
    dump(folder / "pretest.yaml", _test("pre", "Pre-test", per_objective=2, k=2))
    dump(folder / "posttest.yaml", _test("post", "Post-test", per_objective=3, k=2))
    return folder
