"""The question editor's logic (app/authoring/questions.py), checked against the real course
checker on a copy of a shipped course."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.authoring import questions as q
from app.authoring.questions import QuestionErrors, QuestionForm
from app.core.errors import Invalid, NotFound
from app.courses import files
from tests.conftest import COURSES

SLUG = "smart-governance"
OBJECTIVES = ["sg-m1-o1", "sg-m2-o1"]


def _form(**changes: object) -> QuestionForm:
    form = QuestionForm(
        type="single",
        text="Manakah yang merupakan prinsip keterbukaan informasi publik?",
        choices=["Informasi dikecualikan secara ketat dan terbatas", "Semua informasi rahasia"],
        correct=[0],
        answer="",
        answers="",
        explanation="Undang-Undang Nomor 14 Tahun 2008 menetapkan pengecualian yang ketat.",
        objective="sg-m2-o1",
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def _errors(form: QuestionForm, **kwargs: object) -> dict[str, str]:
    with pytest.raises(QuestionErrors) as raised:
        q.validate(form, objectives=OBJECTIVES, **kwargs)  # type: ignore[arg-type]
    assert raised.value.status_code == 422
    return raised.value.errors


SMALL_QUIZ = """\
title: Kuis Modul
draw: 2
shuffle_choices: false
questions:
  - id: tc-q-01
    type: truefalse
    text: Pernyataan pertama.
    answer: true
    explanation: Karena benar.
  - id: tc-q-02
    type: single
    text: Pertanyaan kedua?
    choices:
      - id: a
        text: Satu
      - id: b
        text: Dua
        correct: true
    explanation: Karena dua.
  - id: tc-q-03
    type: short
    text: Pertanyaan ketiga?
    answers: [SDI]
    explanation: Satu Data Indonesia.
"""


@pytest.fixture
def course(tmp_path: Path) -> Path:
    target = tmp_path / SLUG
    shutil.copytree(COURSES / SLUG, target)
    return target


def _check(folder: Path) -> None:
    parsed, errors, _ = files.check_course(folder)
    assert errors == []
    assert parsed is not None


# --- validation ----------------------------------------------------------------------------------


def test_a_good_form_of_each_type_passes() -> None:
    q.validate(_form(), objectives=OBJECTIVES)
    q.validate(_form(type="multiple", correct=[0, 1]), objectives=OBJECTIVES)
    q.validate(
        _form(type="truefalse", choices=[], correct=[], answer="false", objective=""),
        objectives=[],
    )
    q.validate(_form(type="short", choices=[], answers="SPBE\n"), objectives=OBJECTIVES)
    q.validate(_form(objective=""), objectives=OBJECTIVES)


@pytest.mark.parametrize(
    ("changes", "key", "message"),
    [
        ({"type": "essay"}, "type", "Pilih jenis soal: pilihan ganda (satu jawaban)"),
        ({"text": "  "}, "text", "Teks soal wajib diisi."),
        ({"text": "Ya"}, "text", "Teks soal terlalu pendek (sedikitnya 3 karakter)."),
        ({"text": "x" * 2001}, "text", "Teks soal terlalu panjang (paling banyak 2000 karakter)."),
        ({"explanation": ""}, "explanation", "Pembahasan wajib diisi."),
        ({"explanation": "ok"}, "explanation", "Pembahasan terlalu pendek"),
        ({"explanation": "x" * 4001}, "explanation", "Pembahasan terlalu panjang"),
        ({"choices": ["Satu", " ", ""]}, "choices", "Isi sedikitnya 2 pilihan jawaban."),
        ({"choices": [f"P{i}" for i in range(11)]}, "choices", "paling banyak 10."),
        ({"choices": ["Satu", "x" * 501]}, "choices", "paling banyak 500 karakter."),
        ({"choices": ["Satu", " satu "]}, "choices", "Setiap pilihan jawaban harus berbeda."),
        ({"correct": []}, "correct", "Tandai tepat satu pilihan sebagai jawaban benar."),
        ({"correct": [0, 1]}, "correct", "Tandai tepat satu pilihan sebagai jawaban benar."),
        (
            {"choices": ["Satu", "", "Dua"], "correct": [1]},
            "correct",
            "Jawaban benar hanya dapat ditandai pada pilihan yang terisi.",
        ),
        ({"correct": [5]}, "correct", "pada pilihan yang terisi."),
        (
            {"type": "multiple", "correct": []},
            "correct",
            "Tandai sedikitnya satu pilihan sebagai jawaban benar.",
        ),
        ({"type": "multiple", "choices": ["Satu"]}, "choices", "Isi sedikitnya 2 pilihan"),
        ({"type": "truefalse", "answer": ""}, "answer", "Pilih kunci jawaban: benar atau salah."),
        ({"type": "truefalse", "answer": "ya"}, "answer", "benar atau salah."),
        ({"type": "short", "answers": " \n\n"}, "answers", "Isi sedikitnya satu jawaban"),
        (
            {"type": "short", "answers": "\n".join(f"J{i}" for i in range(21))},
            "answers",
            "Jawaban yang diterima paling banyak 20.",
        ),
        ({"type": "short", "answers": "x" * 201}, "answers", "paling banyak 200 karakter."),
        ({"objective": "sg-m9-o9"}, "objective", "Tujuan pembelajaran tidak dikenal"),
    ],
)
def test_every_validation_message(changes: dict[str, object], key: str, message: str) -> None:
    errors = _errors(_form(**changes))
    assert list(errors) == [key]
    assert message in errors[key]


def test_a_pre_or_post_test_question_needs_an_objective() -> None:
    errors = _errors(_form(objective=""), require_objective=True)
    assert errors == {
        "objective": "Pilih tujuan pembelajaran yang diukur soal ini (wajib untuk pre-test dan "
        "post-test)."
    }


def test_all_wrong_fields_are_reported_at_once() -> None:
    errors = _errors(_form(text="", explanation="", choices=["A"], correct=[], objective="x"))
    assert set(errors) == {"text", "explanation", "choices", "correct", "objective"}


def test_the_other_types_fields_are_not_judged() -> None:
    """A truefalse question's leftover choice rows (say, after switching type) are ignored."""
    q.validate(_form(type="truefalse", answer="true", correct=[7]), objectives=OBJECTIVES)


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: [tidak ditutup\n", "penulisan YAML keliru pada baris"),
        ("- satu\n- dua\n", "pasangan kunci dan nilai"),
        ("", "pasangan kunci dan nilai"),
        ("title: Kuis\n", "daftar soal pada kunci questions"),
        ("title: Kuis\nquestions: soal\n", "daftar soal pada kunci questions"),
        ("title: Kuis\nquestions:\n  - teks saja\n", "Soal ke-1"),
    ],
)
def test_read_quiz_refuses_what_is_not_a_quiz(text: str, message: str) -> None:
    with pytest.raises(Invalid) as raised:
        q.read_quiz(text)
    assert message in raised.value.message


def test_question_to_form_of_each_type() -> None:
    quiz = q.read_quiz(SMALL_QUIZ)
    truefalse, single, short = (q.question_to_form(x) for x in quiz["questions"])
    assert (truefalse.type, truefalse.answer, truefalse.choices) == ("truefalse", "true", [])
    assert (single.choices, single.correct) == (["Satu", "Dua"], [1])
    assert short.answers == "SDI"
    assert single.objective == ""
    assert single.explanation == "Karena dua."


# --- ids -----------------------------------------------------------------------------------------


def test_a_new_id_follows_the_highest_with_the_quizs_prefix() -> None:
    ids = ["sg-post-01", "sg-post-02", "sg-post-10"]
    assert q.next_question_id(ids, used=[*ids, "sg-pre-30"], prefix_hint="x") == "sg-post-11"


def test_a_new_id_skips_ids_only_in_used_ids() -> None:
    """Deleted from the draft, or only in an old published version: never handed out again."""
    ids = ["sg-post-01", "sg-post-02"]
    used = [*ids, "sg-post-07", "sg-post-03"]
    assert q.next_question_id(ids, used=used, prefix_hint="x") == "sg-post-08"


def test_a_new_id_is_padded_like_the_existing_ones() -> None:
    assert q.next_question_id(["q-001"], used=["q-001"], prefix_hint="x") == "q-002"
    assert q.next_question_id(["q-1", "q-2"], used=[], prefix_hint="x") == "q-03"
    assert q.next_question_id(["q-99"], used=[], prefix_hint="x") == "q-100"


def test_a_new_id_never_equals_an_unpadded_used_one() -> None:
    assert q.next_question_id(["a-01"], used=["a-2", "a-02x"], prefix_hint="x") == "a-03"


def test_the_most_common_prefix_wins() -> None:
    ids = ["sg-post-01", "sg-post-02", "lama-05"]
    assert q.next_question_id(ids, used=ids, prefix_hint="x") == "sg-post-03"


def test_without_numbered_ids_the_hint_is_the_prefix() -> None:
    assert q.next_question_id([], used=[], prefix_hint="sg-post-") == "sg-post-01"
    assert q.next_question_id(["pembuka"], used=["sg-m1-05"], prefix_hint="sg-m1") == "sg-m1-06"
    assert q.next_question_id([], used=[], prefix_hint="Kuis  Modul 1") == "kuis-modul-1-01"
    assert q.next_question_id([], used=[], prefix_hint=" ") == "soal-01"


# --- saving and deleting -------------------------------------------------------------------------


def test_a_new_question_is_appended_with_a_new_id() -> None:
    used = ["tc-q-01", "tc-q-02", "tc-q-03", "tc-q-04"]  # 04 was deleted earlier
    text, qid = q.save_question(
        SMALL_QUIZ, _form(), question_id=None, used_ids=used, objectives=OBJECTIVES
    )
    assert qid == "tc-q-05"
    quiz = yaml.safe_load(text)
    assert [x["id"] for x in quiz["questions"]] == ["tc-q-01", "tc-q-02", "tc-q-03", "tc-q-05"]
    assert quiz["questions"][-1] == {
        "id": "tc-q-05",
        "type": "single",
        "text": "Manakah yang merupakan prinsip keterbukaan informasi publik?",
        "choices": [
            {"text": "Informasi dikecualikan secara ketat dan terbatas", "correct": True},
            {"text": "Semua informasi rahasia"},
        ],
        "explanation": "Undang-Undang Nomor 14 Tahun 2008 menetapkan pengecualian yang ketat.",
        "objective": "sg-m2-o1",
    }


def test_editing_keeps_the_id_the_position_and_everything_else() -> None:
    before = yaml.safe_load(SMALL_QUIZ)
    form = _form(type="short", choices=[], correct=[], answers=" Satu Data\n\nSDI\nsdi \nSDI")
    text, qid = q.save_question(
        SMALL_QUIZ, form, question_id="tc-q-02", used_ids=[], objectives=OBJECTIVES
    )
    assert qid == "tc-q-02"
    after = yaml.safe_load(text)
    assert [x["id"] for x in after["questions"]] == ["tc-q-01", "tc-q-02", "tc-q-03"]
    edited = after["questions"][1]
    assert edited["type"] == "short"
    assert edited["answers"] == ["Satu Data", "SDI", "sdi"]
    assert "choices" not in edited
    assert after["questions"][0] == before["questions"][0]
    assert after["questions"][2] == before["questions"][2]
    assert {k: v for k, v in after.items() if k != "questions"} == {
        "title": "Kuis Modul",
        "draw": 2,
        "shuffle_choices": False,
    }


def test_editing_keeps_choice_ids_row_by_row() -> None:
    form = _form(choices=["Satu (diubah)", "Dua", "Tiga"], correct=[2], objective="")
    text, _ = q.save_question(
        SMALL_QUIZ, form, question_id="tc-q-02", used_ids=[], objectives=OBJECTIVES
    )
    choices = yaml.safe_load(text)["questions"][1]["choices"]
    assert choices == [
        {"id": "a", "text": "Satu (diubah)"},
        {"id": "b", "text": "Dua"},
        {"id": "1", "text": "Tiga", "correct": True},
    ]


def test_a_cleared_row_drops_its_choice_and_its_id() -> None:
    form = _form(choices=["", "Dua", "Tiga"], correct=[1], objective="")
    text, _ = q.save_question(
        SMALL_QUIZ, form, question_id="tc-q-02", used_ids=[], objectives=OBJECTIVES
    )
    choices = yaml.safe_load(text)["questions"][1]["choices"]
    assert [c["id"] for c in choices] == ["b", "1"]


def test_saving_refuses_a_bad_form_and_an_unknown_question() -> None:
    with pytest.raises(QuestionErrors):
        q.save_question(
            SMALL_QUIZ, _form(text=""), question_id=None, used_ids=[], objectives=OBJECTIVES
        )
    with pytest.raises(NotFound):
        q.save_question(
            SMALL_QUIZ, _form(), question_id="tc-q-99", used_ids=[], objectives=OBJECTIVES
        )


def test_delete_removes_only_that_question() -> None:
    text = q.delete_question(SMALL_QUIZ, "tc-q-02")
    after = yaml.safe_load(text)
    assert [x["id"] for x in after["questions"]] == ["tc-q-01", "tc-q-03"]
    assert after["draw"] == 2
    with pytest.raises(NotFound):
        q.delete_question(SMALL_QUIZ, "tc-q-99")


def test_a_deleted_id_is_not_given_again() -> None:
    """The caller's used_ids still holds a deleted id, so the next new question skips it."""
    used = ["tc-q-01", "tc-q-02", "tc-q-03"]
    text = q.delete_question(SMALL_QUIZ, "tc-q-03")
    _, qid = q.save_question(text, _form(), question_id=None, used_ids=used, objectives=OBJECTIVES)
    assert qid == "tc-q-04"


def test_the_last_question_cannot_be_deleted() -> None:
    text = q.delete_question(q.delete_question(SMALL_QUIZ, "tc-q-01"), "tc-q-02")
    with pytest.raises(Invalid) as raised:
        q.delete_question(text, "tc-q-03")
    assert "sedikitnya satu soal" in raised.value.message


# --- pool warnings -------------------------------------------------------------------------------


def test_no_warning_when_the_pool_is_big_enough() -> None:
    assert q.pool_warning(SMALL_QUIZ) is None
    assert q.pool_warning((COURSES / SLUG / "posttest.yaml").read_text(encoding="utf-8")) is None


def test_warning_when_draw_is_more_than_the_pool() -> None:
    text = q.delete_question(SMALL_QUIZ, "tc-q-01").replace("draw: 2", "draw: 10")
    assert q.pool_warning(text) == (
        "Setiap percobaan mengundi 10 soal (draw), tetapi bank soal hanya berisi 2 soal."
    )


def test_warning_when_an_objective_has_too_few_questions() -> None:
    text = (COURSES / SLUG / "posttest.yaml").read_text(encoding="utf-8")
    text = text.replace("draw_per_objective: 1", "draw_per_objective: 3")
    warning = q.pool_warning(text)
    assert warning is not None
    assert (
        "Setiap percobaan mengundi 3 soal per tujuan pembelajaran (draw_per_objective), "
        "tetapi tujuan sg-m1-o1 hanya memiliki 2 soal." in warning
    )
    assert "sg-m1-o3" not in warning  # it has 3
    assert "sg-m3-o3" not in warning  # it has 4


# --- the real checker ----------------------------------------------------------------------------


def _used_ids(folder: Path) -> list[str]:
    return [
        str(question["id"])
        for path in sorted(folder.rglob("*.yaml"))
        if path.name in ("pretest.yaml", "posttest.yaml", "quiz.yaml")
        for question in q.read_quiz(path.read_text(encoding="utf-8"))["questions"]
    ]


def test_round_trip_through_the_checker_on_a_shipped_course(course: Path) -> None:
    path = course / "posttest.yaml"
    original = q.read_quiz(path.read_text(encoding="utf-8"))
    objectives = [x["objective"] for x in original["questions"]]
    used = _used_ids(course)

    # Add a question of each type, edit one in place, delete one
    text = path.read_text(encoding="utf-8")
    new_forms = [
        _form(objective="sg-m1-o1"),
        _form(type="multiple", correct=[0, 1], objective="sg-m1-o2"),
        _form(type="truefalse", choices=[], correct=[], answer="true", objective="sg-m3-o1"),
        _form(type="short", choices=[], correct=[], answers="SPBE", objective="sg-m4-o1"),
    ]
    added = []
    for form in new_forms:
        text, qid = q.save_question(
            text,
            form,
            question_id=None,
            used_ids=used,
            objectives=objectives,
            require_objective=True,
        )
        used.append(qid)
        added.append(qid)
    assert added == ["sg-post-47", "sg-post-48", "sg-post-49", "sg-post-50"]
    edit = q.question_to_form(original["questions"][0])
    edit.text = (
        "Menurut Perpres Nomor 95 Tahun 2018, SPBE—Sistem Pemerintahan Berbasis Elektronik—adalah …"
    )
    text, _ = q.save_question(
        text, edit, question_id="sg-post-01", used_ids=used, objectives=objectives
    )
    text = q.delete_question(text, "sg-post-02")
    path.write_text(text, encoding="utf-8")

    _check(course)
    after = q.read_quiz(path.read_text(encoding="utf-8"))
    assert after["questions"][0]["id"] == "sg-post-01"
    assert after["questions"][0]["text"].endswith(
        "SPBE—Sistem Pemerintahan Berbasis Elektronik—adalah …"
    )
    assert after["questions"][0]["choices"] == original["questions"][0]["choices"]
    assert [x["id"] for x in after["questions"]][-4:] == added
    assert len(after["questions"]) == len(original["questions"]) + 3
    assert {k: v for k, v in after.items() if k != "questions"} == {
        k: v for k, v in original.items() if k != "questions"
    }


def test_editing_an_unchanged_form_keeps_every_question_equal(course: Path) -> None:
    path = course / "pretest.yaml"
    text = path.read_text(encoding="utf-8")
    original = q.read_quiz(text)
    objectives = [x["objective"] for x in original["questions"]]
    for question in original["questions"]:
        text, _ = q.save_question(
            text,
            q.question_to_form(question),
            question_id=question["id"],
            used_ids=[],
            objectives=objectives,
        )
    assert _canonical(q.read_quiz(text)) == _canonical(original)
    path.write_text(text, encoding="utf-8")
    _check(course)


def _canonical(quiz: dict[str, object]) -> object:
    """Equal values regardless of the order of keys."""
    return yaml.safe_dump(quiz, sort_keys=True, allow_unicode=True)


def test_choice_ids_written_by_export_still_pass_the_checker(course: Path) -> None:
    """Export writes every choice with an id; an edit that adds a row keeps them unique."""
    path = course / "pretest.yaml"
    quiz = q.read_quiz(path.read_text(encoding="utf-8"))
    first = next(x for x in quiz["questions"] if x["type"] == "single")
    first["choices"] = [
        {"id": str(i), **c} for i, c in enumerate(first["choices"], start=2)
    ]  # ids "2", "3", ...: a new row may not take the checker's default "1"... or a used one
    text = q.dump_quiz(quiz)
    form = q.question_to_form(first)
    form.choices = [*form.choices, "Pilihan tambahan", "Satu lagi"]
    text, _ = q.save_question(
        text, form, question_id=first["id"], used_ids=[], objectives=[first["objective"]]
    )
    path.write_text(text, encoding="utf-8")
    _check(course)
    saved = next(x for x in q.read_quiz(text)["questions"] if x["id"] == first["id"])
    ids = [c["id"] for c in saved["choices"]]
    assert ids[: len(first["choices"])] == [c["id"] for c in first["choices"]]
    assert len(set(ids)) == len(ids)


def test_unicode_is_written_as_is() -> None:
    form = _form(
        text="Apa arti “gotong royong” dalam layanan publik — menurut UU № 25/2009?",
        explanation="Kerja sama lintas instansi; ‘satu pintu’ ✓.",
        objective="",
    )
    text, qid = q.save_question(
        SMALL_QUIZ, form, question_id=None, used_ids=[], objectives=OBJECTIVES
    )
    assert "“gotong royong” dalam layanan publik — menurut UU № 25/2009?" in text
    assert "‘satu pintu’ ✓." in text
    assert "\\u" not in text
    saved = yaml.safe_load(text)["questions"][-1]
    assert saved["id"] == qid
    assert saved["text"] == form.text
