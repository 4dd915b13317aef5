import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.courses import files, markdown, service
from app.models import Course, CourseVersion, Lesson, Module, Question, Quiz
from tests.conftest import COURSES


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    target = tmp_path / "courses"
    shutil.copytree(COURSES, target)
    return target


def test_shipped_courses_pass_the_check() -> None:
    parsed, problems = files.read_all(COURSES)
    assert problems == []
    assert sorted(c.slug for c in parsed) == [
        "keputusan-berbasis-data",
        "literasi-digital",
        "smart-governance",
    ]


def test_shipped_courses_meet_the_content_rules() -> None:
    parsed, _ = files.read_all(COURSES)
    assert sum(c.data.jp for c in parsed) == 20
    for course in parsed:
        assert len(course.modules) >= 3, course.slug
        assert course.data.references
        for module in course.modules:
            for lesson in module.lessons:
                words = markdown.word_count(lesson.body)
                assert 400 <= words <= 1200, (course.slug, module.slug, lesson.slug, words)
        for quiz in (course.pretest, course.posttest):
            assert quiz is not None, course.slug
            assert quiz.data.paper_size >= 10
            assert len(quiz.data.questions) >= 15
            assert all(q.explanation for q in quiz.data.questions)


def test_a_broken_file_is_reported_as_path_line_message(course_copy: Path) -> None:
    quiz = course_copy / "smart-governance" / "posttest.yaml"
    lines = quiz.read_text(encoding="utf-8").splitlines()
    # remove the explanation of the first question
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("explanation:"))
    del lines[index]
    quiz.write_text("\n".join(lines) + "\n", encoding="utf-8")
    course_yaml = course_copy / "literasi-digital" / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8").replace("jp: 7", "jp: tujuh"), encoding="utf-8"
    )

    _, problems = files.read_all(course_copy)
    rendered = [str(p) for p in problems]
    assert any(
        r.endswith(
            "posttest.yaml:" + r.split(":")[1] + ": questions[0].explanation: Field required"
        )
        for r in rendered
    ), rendered
    jp_line = next(
        i
        for i, line in enumerate(course_yaml.read_text().splitlines(), start=1)
        if line.startswith("jp:")
    )
    assert any(
        r.endswith(
            f"literasi-digital/course.yaml:{jp_line}: jp: Input should be a valid integer, unable to parse string as an integer"
        )
        for r in rendered
    ), rendered


def test_yaml_syntax_error_names_the_line(course_copy: Path) -> None:
    module = course_copy / "smart-governance" / "01-konsep-smart-governance" / "module.yaml"
    module.write_text('title: Baik\nsummary: "a" b\n', encoding="utf-8")
    _, problems = files.read_all(course_copy)
    assert any(
        p.path.endswith("module.yaml") and p.line == 2 and "YAML syntax error" in p.message
        for p in problems
    ), [str(p) for p in problems]
    module.write_text("title: Baik\nsummary: [tidak ditutup\n", encoding="utf-8")
    _, problems = files.read_all(course_copy)
    assert any("flow sequence started on line 2" in p.message for p in problems)


def test_lesson_front_matter_problem_points_into_the_lesson(course_copy: Path) -> None:
    lesson = next((course_copy / "smart-governance").glob("01-*/01-*.md"))
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("minutes:", "menit:", 1), encoding="utf-8")
    _, problems = files.read_all(course_copy)
    mine = [p for p in problems if p.path.endswith(lesson.name)]
    assert {p.message for p in mine} >= {"minutes: Field required", "menit: unknown field"}
    assert all(p.line >= 2 for p in mine)


def test_single_question_with_two_correct_choices_is_refused(course_copy: Path) -> None:
    quiz = course_copy / "smart-governance" / "pretest.yaml"
    quiz.write_text(
        "title: Pre-test\nquestions:\n  - id: x-1\n    type: single\n    text: Pilih\n    choices:\n"
        "      - text: A\n        correct: true\n      - text: B\n        correct: true\n    explanation: Karena.\n",
        encoding="utf-8",
    )
    _, problems = files.read_all(course_copy)
    assert any(
        "pretest.yaml:3: questions[0]: a single question needs exactly 1 correct choice, has 2"
        in str(p)
        for p in problems
    ), [str(p) for p in problems]


def test_duplicate_question_ids_across_quizzes_are_refused(course_copy: Path) -> None:
    pre = course_copy / "smart-governance" / "pretest.yaml"
    post = (course_copy / "smart-governance" / "posttest.yaml").read_text(encoding="utf-8")
    first_id = post.split("id: ", 1)[1].split()[0]
    pre.write_text(
        pre.read_text(encoding="utf-8").replace("sg-pre-01", first_id, 1), encoding="utf-8"
    )
    _, problems = files.read_all(course_copy)
    assert any(f"question id '{first_id}' is used more than once" in p.message for p in problems)


def test_broken_course_imports_nothing(session: Session, course_copy: Path) -> None:
    (course_copy / "smart-governance" / "course.yaml").write_text("code: sg\n", encoding="utf-8")
    with pytest.raises(service.CourseProblems):
        service.import_courses(session, path=course_copy)
    assert session.scalar(select(func.count()).select_from(Course)) == 0


def test_import_is_idempotent_and_a_change_makes_a_new_version(
    session: Session, course_copy: Path
) -> None:
    first = service.import_courses(session, path=course_copy)
    assert {o.action for o in first} == {"created"}
    again = service.import_courses(session, path=course_copy)
    assert {o.action for o in again} == {"unchanged"}
    assert session.scalar(select(func.count()).select_from(CourseVersion)) == 3

    module = next((course_copy / "literasi-digital").glob("01-*"))
    lesson = sorted(module.glob("*.md"))[0]
    slug = lesson.stem.split("-", 1)[1]
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("title:", "title: (Revisi)", 1), encoding="utf-8")
    lesson.rename(module / f"09-{slug}.md")  # reordered and retitled: same identity
    third = service.import_courses(session, path=course_copy)
    assert {(o.slug, o.action, o.version) for o in third} >= {("literasi-digital", "updated", 2)}

    course = session.scalars(select(Course).where(Course.slug == "literasi-digital")).one()
    versions = session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
    ).all()
    assert [v.number for v in versions] == [1, 2]
    assert course.current_version_id == versions[1].id
    for v in versions:
        found = session.scalars(
            select(Lesson.slug)
            .join(Module, Lesson.module_id == Module.id)
            .where(Module.version_id == v.id)
        ).all()
        assert slug in found


def test_questions_and_choices_are_stored_with_stable_ids(session: Session) -> None:
    service.import_courses(session, path=COURSES)
    question = session.scalars(
        select(Question).join(Quiz).where(Quiz.kind == "posttest", Question.type == "single")
    ).first()
    assert question is not None
    assert [c["id"] for c in question.choices] == [
        str(i) for i in range(1, len(question.choices) + 1)
    ]
    assert sum(1 for c in question.choices if c["correct"]) == 1


def test_markdown_is_sanitised() -> None:
    html = markdown.render(
        "Halo <script>alert(1)</script>\n\n[klik](javascript:alert(1)) "
        "![luar](https://evil.example/x.png) ![lokal](media/peta.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        media_prefix="/courses/x/media/1",
    )
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "evil.example" not in html
    assert 'src="/courses/x/media/1/peta.png"' in html
    assert "<table>" in html


def test_media_referenced_but_missing_is_a_problem(course_copy: Path) -> None:
    lesson = next((course_copy / "smart-governance").glob("01-*/01-*.md"))
    lesson.write_text(
        lesson.read_text(encoding="utf-8") + "\n![Peta](media/tidak-ada.png)\n", encoding="utf-8"
    )
    _, problems = files.read_all(course_copy)
    assert any("image media/tidak-ada.png not found" in p.message for p in problems)


def test_checklists_render_as_ballot_boxes() -> None:
    html = markdown.render("- [ ] belum\n- [x] sudah\n", media_prefix="/m")
    assert "☐ belum" in html and "☑ sudah" in html and "[ ]" not in html


@pytest.mark.parametrize(
    "text",
    ["title: Baik\x07 sekali\n", "title: Baik\nsummary: 2020-13-45\n"],
    ids=["control-character", "impossible-date"],
)
def test_yaml_that_cannot_be_read_is_a_problem_not_a_crash(course_copy: Path, text: str) -> None:
    module = course_copy / "smart-governance" / "01-konsep-smart-governance" / "module.yaml"
    module.write_text(text, encoding="utf-8")
    _, problems = files.read_all(course_copy)
    assert any(
        p.path.endswith("module.yaml") and "YAML syntax error" in p.message for p in problems
    ), [str(p) for p in problems]
