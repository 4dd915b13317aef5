"""Objectives (kisi-kisi), fair pre/post draws and JP that add up: each rule of the course check
is broken once in a small course built in tmp_path."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.cli import cli
from app.courses import files, service
from app.courses.rules import rounded_jp
from app.models import Course, Module, Question, Quiz
from tests.courses.course_builder import OBJECTIVES, build_course, edit, line_of


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return build_course(tmp_path)


def _errors(folder: Path) -> list[str]:
    return [str(p) for p in files.check_all(folder).errors]


def _has(rendered: list[str], expected: str) -> bool:
    return any(expected in line for line in rendered)


def test_the_fixture_course_passes_without_errors_or_warnings(course: Path) -> None:
    report = files.check_all(course)
    assert report.errors == [] and report.warnings == []
    assert [c.slug for c in report.courses] == [course.name]


# --- objectives ---------------------------------------------------------------------------


def test_module_without_objectives_is_refused(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    edit(module, lambda d: d.pop("objectives"))
    assert _has(_errors(course), "02-modul-2/module.yaml:1: objectives: Field required")


def test_module_with_an_empty_objectives_list_is_refused(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    edit(module, lambda d: d.update(objectives=[]))
    line = line_of(module, "objectives:")
    assert _has(
        _errors(course), f"module.yaml:{line}: objectives: List should have at least 1 item"
    )


def test_objective_ids_are_slugs(course: Path) -> None:
    module = course / "01-modul-1" / "module.yaml"
    edit(module, lambda d: d["objectives"][0].update(id="Tujuan 1"))
    line = line_of(module, "Tujuan 1")
    assert _has(_errors(course), f"module.yaml:{line}: objectives[0].id: String should match")


def test_objective_ids_are_unique_within_the_course(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    edit(module, lambda d: d["objectives"][1].update(id="tc-m1-o1"))
    line = line_of(module, "id: tc-m1-o1")
    assert _has(
        _errors(course),
        f"02-modul-2/module.yaml:{line}: objective id 'tc-m1-o1' is also used in 01-modul-1",
    )


def test_question_naming_an_unknown_objective_is_refused(course: Path) -> None:
    posttest = course / "posttest.yaml"
    edit(posttest, lambda d: d["questions"][0].update(objective="tc-m9-o9"))
    line = line_of(posttest, "objective: tc-m9-o9")
    assert _has(
        _errors(course),
        f"posttest.yaml:{line}: questions[0].objective: unknown objective 'tc-m9-o9'",
    )


def test_module_quiz_question_naming_an_unknown_objective_is_refused(course: Path) -> None:
    quiz = course / "01-modul-1" / "quiz.yaml"
    edit(quiz, lambda d: d["questions"][0].update(objective="tc-m9-o9"))
    line = line_of(quiz, "objective: tc-m9-o9")
    assert _has(_errors(course), f"quiz.yaml:{line}: questions[0].objective: unknown objective")


@pytest.mark.parametrize(("name", "label"), [("pretest", "pre-test"), ("posttest", "post-test")])
def test_test_question_without_objective_is_refused(course: Path, name: str, label: str) -> None:
    path = course / f"{name}.yaml"
    edit(path, lambda d: d["questions"][1].pop("objective"))
    qid = f"tc-{name.removesuffix('test')}-m1-o1-2"
    line = line_of(path, f"id: {qid}")
    assert _has(
        _errors(course),
        f"{name}.yaml:{line}: questions[1]: every {label} question needs objective:",
    )


def test_module_quiz_question_without_objective_is_allowed(course: Path) -> None:
    quiz = course / "01-modul-1" / "quiz.yaml"
    assert "objective" not in quiz.read_text(encoding="utf-8")
    assert _errors(course) == []


def test_objective_no_test_measures_is_a_warning_not_an_error(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    edit(
        module,
        lambda d: d["objectives"].append({"id": "tc-m2-o3", "text": "Peserta mampu hal 3."}),
    )
    report = files.check_all(course)
    line = line_of(module, "id: tc-m2-o3")
    assert report.errors == []
    assert [c.slug for c in report.courses] == [course.name], "a warning does not refuse"
    assert [str(w) for w in report.warnings] == [
        f"{module}:{line}: objective 'tc-m2-o3' is not measured by any pre-test or post-test "
        "question (kisi-kisi)"
    ]


def test_a_module_quiz_does_not_count_for_the_kisi_kisi(course: Path) -> None:
    for name in ("pretest", "posttest"):
        edit(
            course / f"{name}.yaml",
            lambda d: d.update(
                questions=[q for q in d["questions"] if q["objective"] != "tc-m1-o2"]
            ),
        )
    edit(
        course / "01-modul-1" / "quiz.yaml",
        lambda d: d["questions"][0].update(objective="tc-m1-o2"),
    )
    report = files.check_all(course)
    assert report.errors == []
    assert [w.message.split(" is ")[0] for w in report.warnings] == ["objective 'tc-m1-o2'"]


def test_check_command_lists_warnings_apart_and_fails_only_on_errors(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    edit(
        module,
        lambda d: d["objectives"].append({"id": "tc-m2-o3", "text": "Peserta mampu hal 3."}),
    )
    runner = CliRunner()
    ok = runner.invoke(cli, ["courses", "check", str(course)])
    assert ok.exit_code == 0, ok.output
    assert "Peringatan (1;" in ok.stdout and "'tc-m2-o3' is not measured" in ok.stdout

    edit(course / "course.yaml", lambda d: d.update(jp=5))
    broken = runner.invoke(cli, ["courses", "check", str(course)])
    assert broken.exit_code == 1
    lines = broken.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("Peringatan"))
    assert any("course.yaml" in line and "jp is 5" in line for line in lines[:header])
    assert all("jp is 5" not in line for line in lines[header:])
    assert any("'tc-m2-o3' is not measured" in line for line in lines[header:])


def test_a_broken_module_file_does_not_cascade_into_objective_errors(course: Path) -> None:
    module = course / "02-modul-2" / "module.yaml"
    module.write_text("title: Modul 2\nobjectives: [tidak ditutup\n", encoding="utf-8")
    errors = _errors(course)
    assert len(errors) == 1, errors
    assert "02-modul-2/module.yaml:" in errors[0] and "YAML syntax error" in errors[0]


# --- draw_per_objective -------------------------------------------------------------------


def test_draw_and_draw_per_objective_together_are_refused(course: Path) -> None:
    posttest = course / "posttest.yaml"
    edit(posttest, lambda d: d.update(draw=4))
    line = line_of(posttest, "draw_per_objective:")
    assert _has(
        _errors(course),
        f"posttest.yaml:{line}: draw_per_objective: use either draw or draw_per_objective",
    )


def test_draw_per_objective_is_at_least_one(course: Path) -> None:
    edit(course / "pretest.yaml", lambda d: d.update(draw_per_objective=0))
    assert _has(_errors(course), "draw_per_objective: Input should be greater than or equal to 1")


def test_objective_with_fewer_than_k_questions_is_refused(course: Path) -> None:
    pretest = course / "pretest.yaml"
    edit(pretest, lambda d: d["questions"].pop(0))  # tc-m1-o1 keeps one question of two
    line = line_of(pretest, "draw_per_objective:")
    assert _has(
        _errors(course),
        f"pretest.yaml:{line}: draw_per_objective is 2 but objective 'tc-m1-o1' has only "
        "1 question in this pool",
    )


def test_pre_and_post_with_different_k_are_refused(course: Path) -> None:
    posttest = course / "posttest.yaml"
    edit(posttest, lambda d: d.update(draw_per_objective=3))
    line = line_of(posttest, "draw_per_objective:")
    assert _has(
        _errors(course),
        f"posttest.yaml:{line}: draw_per_objective is 3 here but 2 in pretest.yaml",
    )


def test_pre_and_post_measuring_different_objectives_are_refused(course: Path) -> None:
    edit(
        course / "pretest.yaml",
        lambda d: d.update(questions=[q for q in d["questions"] if q["objective"] != "tc-m2-o2"]),
    )
    line = line_of(course / "posttest.yaml", "draw_per_objective:")
    assert _has(
        _errors(course),
        f"posttest.yaml:{line}: the pre-test and post-test must measure the same objectives; "
        "only in posttest.yaml: tc-m2-o2; only in pretest.yaml: none",
    )


def test_draw_per_objective_in_a_module_quiz_is_refused(course: Path) -> None:
    quiz = course / "01-modul-1" / "quiz.yaml"
    edit(quiz, lambda d: d.update(draw_per_objective=1))
    assert _has(_errors(course), "draw_per_objective is for pretest.yaml and posttest.yaml only")


# --- JP -----------------------------------------------------------------------------------


def test_jp_that_the_lesson_minutes_do_not_add_up_to_is_refused(course: Path) -> None:
    edit(course / "course.yaml", lambda d: d.update(jp=3))
    line = line_of(course / "course.yaml", "jp: 3")
    assert _has(
        _errors(course),
        f"course.yaml:{line}: jp is 3 but the lessons take 90 minutes = 2.00 JP of 45 minutes, "
        "which rounds (nearest) to 2",
    )


def test_jp_follows_the_courses_rounding(course: Path) -> None:
    lesson = course / "02-modul-2" / "01-pelajaran.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace("minutes: 45", "minutes: 50"), encoding="utf-8"
    )  # 95 minutes: 2.11 JP
    assert _errors(course) == []
    edit(course / "course.yaml", lambda d: d.update(jp_rounding="up"))
    assert _has(_errors(course), "which rounds (up) to 3")
    edit(course / "course.yaml", lambda d: d.update(jp=3))
    assert _errors(course) == []
    edit(course / "course.yaml", lambda d: d.update(jp_rounding="down"))
    assert _has(_errors(course), "jp is 3 but the lessons take 95 minutes")


def test_jp_uses_the_configured_minutes_per_jp(course: Path) -> None:
    assert files.check_all(course, minutes_per_jp=45).errors == []
    errors = [str(p) for p in files.check_all(course, minutes_per_jp=30).errors]
    assert _has(errors, "= 3.00 JP of 30 minutes, which rounds (nearest) to 3")


def test_unknown_jp_rounding_is_refused(course: Path) -> None:
    edit(course / "course.yaml", lambda d: d.update(jp_rounding="ceil"))
    assert _has(_errors(course), "jp_rounding: Input should be 'nearest', 'up' or 'down'")


@pytest.mark.parametrize(
    ("minutes", "per_jp", "rounding", "expected"),
    [
        (90, 45, "nearest", 2),
        (67, 45, "nearest", 1),
        (68, 45, "nearest", 2),
        (45, 30, "nearest", 2),  # a half rounds up
        (46, 45, "up", 2),
        (89, 45, "down", 1),
        (0, 45, "up", 0),
    ],
)
def test_rounded_jp(minutes: int, per_jp: int, rounding: str, expected: int) -> None:
    assert rounded_jp(minutes, minutes_per_jp=per_jp, rounding=rounding) == expected


# --- import and the draw ------------------------------------------------------------------


def _import(session: Session, folder: Path) -> int:
    service.import_courses(session, path=folder)
    course = session.scalars(select(Course).where(Course.slug == folder.name)).one()
    assert course.current_version_id is not None
    return course.current_version_id


def _quiz(session: Session, version_id: int, kind: str) -> Quiz:
    return session.scalars(
        select(Quiz).where(Quiz.version_id == version_id, Quiz.kind == kind)
    ).one()


def test_import_stores_objectives_and_the_per_objective_draw(
    session: Session, course: Path
) -> None:
    version_id = _import(session, course)
    modules = session.scalars(
        select(Module).where(Module.version_id == version_id).order_by(Module.position)
    ).all()
    assert [m.objectives for m in modules] == [
        [
            {"id": f"tc-m{n}-o1", "text": "Peserta mampu melakukan hal 1."},
            {"id": f"tc-m{n}-o2", "text": "Peserta mampu melakukan hal 2."},
        ]
        for n in (1, 2)
    ]
    posttest = _quiz(session, version_id, "posttest")
    assert posttest.draw_per_objective == 2 and posttest.draw is None
    assert Counter(q.objective for q in posttest.questions) == {o: 3 for o in OBJECTIVES}
    assert posttest.paper_size == 8
    module_question = session.scalars(select(Question).where(Question.key == "tc-kuis-1")).one()
    assert module_question.objective is None
