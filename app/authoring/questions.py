"""The question editor's logic (issue 14, item 3): a quiz file's YAML text in, YAML text out.

A draft keeps its course files as text; the browser form edits one question of one quiz file.
Everything here is pure (no database, no FastAPI): the caller loads the draft's text, collects
the course's question ids (the draft's and every published version's), and stores the result.

The text written is what `app.courses.files.check_course` accepts (app/courses/schemas.py) and
has the shape `app.courses.export` writes. Re-dumping a file drops its YAML comments.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from app.core.errors import Invalid, NotFound

TYPES = ("single", "multiple", "truefalse", "short")
TYPE_LABELS = {
    "single": "pilihan ganda (satu jawaban)",
    "multiple": "pilihan ganda (beberapa jawaban)",
    "truefalse": "benar/salah",
    "short": "isian singkat",
}

MIN_TEXT = 3  # QuestionFile.text and .explanation: min_length=3
MAX_TEXT = 2000
MAX_EXPLANATION = 4000
MIN_CHOICES = 2
MAX_CHOICES = 10
MAX_CHOICE_TEXT = 500
MAX_ANSWERS = 20
MAX_ANSWER_TEXT = 200
ID_WIDTH = 2  # "sg-post-01"
DEFAULT_PREFIX = "soal-"

_NUMBERED_ID = re.compile(r"^(.*?)(\d+)$")
_QUESTION_ID = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")  # QuestionFile.id
_CHOICE_ID = re.compile(r"^[A-Za-z0-9_-]{1,20}$")  # Choice.id


@dataclass
class QuestionForm:
    """What the browser form posts, as given (validate() judges it, save_question() writes it)."""

    type: str  # single | multiple | truefalse | short
    text: str
    choices: list[str] = field(default_factory=list)  # choice rows; blank rows are ignored
    correct: list[int] = field(default_factory=list)  # indexes into `choices` that are correct
    answer: str = ""  # "true" | "false" for truefalse
    answers: str = ""  # short: accepted answers, one per line
    explanation: str = ""
    objective: str = ""  # "" = none


class QuestionErrors(Invalid):
    """The form has mistakes: field name -> message for the trainer, in Indonesian."""

    default_message = "Soal belum dapat disimpan. Periksa isian yang ditandai."

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__()
        self.errors = errors


# --- reading -------------------------------------------------------------------------------------


def read_quiz(text: str) -> dict[str, Any]:
    """The quiz file as data: a mapping whose `questions` is a list of mappings."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" pada baris {mark.line + 1}" if mark is not None else ""
        raise Invalid(f"Berkas kuis tidak dapat dibaca: penulisan YAML keliru{where}.") from None
    if not isinstance(data, dict):
        raise Invalid("Berkas kuis harus berisi pasangan kunci dan nilai (title, questions, ...).")
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise Invalid("Berkas kuis harus memiliki daftar soal pada kunci questions.")
    for position, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            raise Invalid(f"Soal ke-{position} dalam berkas kuis tidak berbentuk pasangan kunci.")
    return data


def question_ids(quiz: dict[str, Any]) -> list[str]:
    """The ids of a quiz's questions (as read by read_quiz), in file order."""
    return [str(q["id"]) for q in quiz["questions"] if q.get("id") is not None]


def question_to_form(question: dict[str, Any]) -> QuestionForm:
    """The form for an existing question of a quiz file."""
    qtype = str(question.get("type") or "")
    raw_choices = question.get("choices")
    choices = (
        [c for c in raw_choices if isinstance(c, dict)] if isinstance(raw_choices, list) else []
    )
    answer = question.get("answer")
    answers = question.get("answers") or []
    objective = question.get("objective")
    return QuestionForm(
        type=qtype,
        text=str(question.get("text") or ""),
        choices=[str(c.get("text") or "") for c in choices],
        correct=[i for i, c in enumerate(choices) if c.get("correct")],
        answer="" if answer is None else ("true" if answer else "false"),
        answers="\n".join(str(a) for a in answers) if isinstance(answers, list) else str(answers),
        explanation=str(question.get("explanation") or ""),
        objective="" if objective is None else str(objective),
    )


# --- validation ----------------------------------------------------------------------------------


def validate(
    form: QuestionForm, *, objectives: Collection[str], require_objective: bool = False
) -> None:
    """Raise QuestionErrors with one message per wrong field; return when the form can be saved.

    `objectives` are the ids the question may measure (the course's module objectives);
    `require_objective` is for pre- and post-tests, where every question must name one."""
    errors: dict[str, str] = {}
    qtype = form.type.strip()
    if qtype not in TYPES:
        errors["type"] = "Pilih jenis soal: " + ", ".join(TYPE_LABELS.values()) + "."
    _check_text(errors, "text", form.text, label="Teks soal", maximum=MAX_TEXT)
    _check_text(
        errors, "explanation", form.explanation, label="Pembahasan", maximum=MAX_EXPLANATION
    )
    if qtype in ("single", "multiple"):
        _check_choices(errors, form, qtype)
    elif qtype == "truefalse":
        if form.answer.strip().lower() not in ("true", "false"):
            errors["answer"] = "Pilih kunci jawaban: benar atau salah."
    elif qtype == "short":
        _check_answers(errors, form.answers)
    _check_objective(errors, form.objective, objectives, required=require_objective)
    if errors:
        raise QuestionErrors(errors)


def _check_text(errors: dict[str, str], key: str, value: str, *, label: str, maximum: int) -> None:
    length = len(value.strip())
    if length == 0:
        errors[key] = f"{label} wajib diisi."
    elif length < MIN_TEXT:
        errors[key] = f"{label} terlalu pendek (sedikitnya {MIN_TEXT} karakter)."
    elif length > maximum:
        errors[key] = f"{label} terlalu panjang (paling banyak {maximum} karakter)."


def _check_choices(errors: dict[str, str], form: QuestionForm, qtype: str) -> None:
    rows = [text.strip() for text in form.choices]
    filled = [i for i, text in enumerate(rows) if text]
    if len(filled) < MIN_CHOICES:
        errors["choices"] = f"Isi sedikitnya {MIN_CHOICES} pilihan jawaban."
    elif len(filled) > MAX_CHOICES:
        errors["choices"] = f"Pilihan jawaban paling banyak {MAX_CHOICES}."
    elif any(len(rows[i]) > MAX_CHOICE_TEXT for i in filled):
        errors["choices"] = f"Setiap pilihan jawaban paling banyak {MAX_CHOICE_TEXT} karakter."
    elif len({_normalised(rows[i]) for i in filled}) != len(filled):
        errors["choices"] = "Setiap pilihan jawaban harus berbeda."
    correct = set(form.correct)
    if any(i not in filled for i in correct):
        errors["correct"] = "Jawaban benar hanya dapat ditandai pada pilihan yang terisi."
    elif qtype == "single" and len(correct) != 1:
        errors["correct"] = "Tandai tepat satu pilihan sebagai jawaban benar."
    elif qtype == "multiple" and not correct:
        errors["correct"] = "Tandai sedikitnya satu pilihan sebagai jawaban benar."


def _check_answers(errors: dict[str, str], answers: str) -> None:
    accepted = _accepted_answers(answers)
    if not accepted:
        errors["answers"] = "Isi sedikitnya satu jawaban yang diterima (satu jawaban per baris)."
    elif len(accepted) > MAX_ANSWERS:
        errors["answers"] = f"Jawaban yang diterima paling banyak {MAX_ANSWERS}."
    elif any(len(a) > MAX_ANSWER_TEXT for a in accepted):
        errors["answers"] = f"Setiap jawaban paling banyak {MAX_ANSWER_TEXT} karakter."


def _check_objective(
    errors: dict[str, str], objective: str, objectives: Collection[str], *, required: bool
) -> None:
    chosen = objective.strip()
    if not chosen:
        if required:
            errors["objective"] = (
                "Pilih tujuan pembelajaran yang diukur soal ini (wajib untuk pre-test dan "
                "post-test)."
            )
    elif chosen not in objectives:
        errors["objective"] = "Tujuan pembelajaran tidak dikenal; pilih salah satu dari daftar."


def _normalised(text: str) -> str:
    """Choice texts that differ only in case or spacing count as the same choice."""
    return " ".join(text.split()).casefold()


def _accepted_answers(answers: str) -> list[str]:
    """One per line, as written (ends trimmed); blank lines and exact repeats dropped. Variants
    that differ only in case stay: the author wrote them, and the grader accepts either."""
    return list(dict.fromkeys(line.strip() for line in answers.splitlines() if line.strip()))


# --- ids -----------------------------------------------------------------------------------------


def next_question_id(quiz_ids: Sequence[str], *, used: Collection[str], prefix_hint: str) -> str:
    """A question id never used in the course: the quiz's id prefix (the most common one among
    `quiz_ids`, e.g. "sg-post-" from "sg-post-01") and the number after the highest that
    `used` holds with that prefix, zero-padded like the existing ids (at least 2 digits).

    `used` is every question id of the draft and of every published version, deleted ones
    included: an id is never handed out twice. Without numbered ids, `prefix_hint` is the prefix.
    """
    prefix = _common_prefix(quiz_ids) or _clean_prefix(prefix_hint)
    taken = set(used) | set(quiz_ids)
    numbers = [int(n) for n, _ in _numbers_with_prefix(taken, prefix)]
    widths = [w for _, w in _numbers_with_prefix(quiz_ids, prefix)]
    width = max([ID_WIDTH, *widths])
    number = max(numbers, default=0) + 1
    while (candidate := f"{prefix}{number:0{width}d}") in taken:  # "sg-post-7" vs "sg-post-07"
        number += 1
    return candidate


def _common_prefix(ids: Sequence[str]) -> str | None:
    prefixes = [m.group(1) for m in map(_NUMBERED_ID.match, ids) if m]
    if not prefixes:
        return None
    counts = Counter(prefixes)
    top = max(counts.values())
    # On a tie, the prefix of the latest question: the one the author is numbering now
    return next(p for p in reversed(prefixes) if counts[p] == top)


def _clean_prefix(hint: str) -> str:
    """A prefix that makes a valid id with digits after it; "sg-post" -> "sg-post-"."""
    prefix = re.sub(r"[^a-z0-9_-]+", "-", hint.strip().lower())
    prefix = re.sub(r"[-_]{2,}", "-", prefix).lstrip("-_")
    if not prefix:
        return DEFAULT_PREFIX
    return prefix if prefix[-1] in "-_" else prefix + "-"


def _numbers_with_prefix(ids: Collection[str], prefix: str) -> list[tuple[str, int]]:
    """(digits, their width) of every id that is `prefix` followed by digits only."""
    out: list[tuple[str, int]] = []
    for qid in ids:
        match = _NUMBERED_ID.match(qid)
        if match and match.group(1) == prefix:
            out.append((match.group(2), len(match.group(2))))
    return out


# --- writing -------------------------------------------------------------------------------------


def save_question(
    text: str,
    form: QuestionForm,
    *,
    question_id: str | None,
    used_ids: Collection[str],
    objectives: Collection[str],
    require_objective: bool = False,
    prefix_hint: str = DEFAULT_PREFIX,
) -> tuple[str, str]:
    """(the quiz file's new text, the question's id).

    With `question_id`, that question is replaced in place and keeps its id (and its choices'
    ids, row by row); without, the question is appended with a new id (next_question_id).
    Other questions and the quiz's own keys keep their values. Raises QuestionErrors for a
    wrong form, NotFound when `question_id` is not in the quiz."""
    quiz = read_quiz(text)
    validate(form, objectives=objectives, require_objective=require_objective)
    questions: list[dict[str, Any]] = quiz["questions"]
    if question_id is None:
        new_id = next_question_id(question_ids(quiz), used=used_ids, prefix_hint=prefix_hint)
        questions.append(_question_data(new_id, form, previous=None))
        return dump_quiz(quiz), new_id
    position = _position(quiz, question_id)
    questions[position] = _question_data(question_id, form, previous=questions[position])
    return dump_quiz(quiz), question_id


def delete_question(text: str, question_id: str) -> str:
    """The quiz file without that question. Its id stays used (the caller's used_ids keeps it).
    A quiz keeps at least one question (the checker refuses an empty pool)."""
    quiz = read_quiz(text)
    position = _position(quiz, question_id)
    if len(quiz["questions"]) == 1:
        raise Invalid(
            "Soal terakhir tidak dapat dihapus: kuis harus memiliki sedikitnya satu soal."
        )
    del quiz["questions"][position]
    return dump_quiz(quiz)


def dump_quiz(quiz: dict[str, Any]) -> str:
    """YAML text as app.courses.export writes a quiz file."""
    return yaml.safe_dump(
        quiz, allow_unicode=True, sort_keys=False, default_flow_style=False, width=100
    )


def _position(quiz: dict[str, Any], question_id: str) -> int:
    for position, question in enumerate(quiz["questions"]):
        if str(question.get("id")) == question_id:
            return position
    raise NotFound(f"Soal {question_id} tidak ditemukan dalam kuis ini.")


def _question_data(
    question_id: str, form: QuestionForm, *, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """A validated form as a question of the file, keys in the order export writes them."""
    qtype = form.type.strip()
    data: dict[str, Any] = {"id": question_id, "type": qtype, "text": form.text.strip()}
    if qtype in ("single", "multiple"):
        data["choices"] = _choices_data(form, previous)
    elif qtype == "truefalse":
        data["answer"] = form.answer.strip().lower() == "true"
    else:
        data["answers"] = _accepted_answers(form.answers)
    data["explanation"] = form.explanation.strip()
    if form.objective.strip():
        data["objective"] = form.objective.strip()
    return data


def _choices_data(form: QuestionForm, previous: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The filled rows as choices. When the question had choice ids, row i keeps the id of its
    choice i (learners' answers and item analysis refer to choice ids); a row beyond them gets
    a fresh id, so that the ids stay unique as the checker requires."""
    old_ids = _previous_choice_ids(previous)
    correct = set(form.correct)
    choices: list[dict[str, Any]] = []
    for row, raw in enumerate(form.choices):
        choice_text = raw.strip()
        if not choice_text:
            continue
        choice: dict[str, Any] = {}
        if old_ids:
            choice["id"] = old_ids[row] if row < len(old_ids) else None
        choice["text"] = choice_text
        if row in correct:
            choice["correct"] = True
        choices.append(choice)
    if old_ids:
        _fill_choice_ids(choices)
    return choices


def _previous_choice_ids(previous: dict[str, Any] | None) -> list[str | None]:
    """The ids of the question's choices by position, or [] when none of them has one."""
    if previous is None or not isinstance(previous.get("choices"), list):
        return []
    ids: list[str | None] = []
    for choice in previous["choices"]:
        raw = choice.get("id") if isinstance(choice, dict) else None
        ids.append(str(raw) if raw is not None and _CHOICE_ID.match(str(raw)) else None)
    return ids if any(ids) else []


def _fill_choice_ids(choices: list[dict[str, Any]]) -> None:
    """Give every choice an id, unique in the question: kept ids first, then the smallest
    free number (the checker's default id for a choice is its 1-based position)."""
    taken: set[str] = set()
    for choice in choices:
        if choice["id"] is not None and choice["id"] not in taken:
            taken.add(choice["id"])
        else:
            choice["id"] = None
    number = 1
    for choice in choices:
        if choice["id"] is None:
            while str(number) in taken:
                number += 1
            fresh = str(number)
            choice["id"] = fresh
            taken.add(fresh)


# --- warnings ------------------------------------------------------------------------------------


def pool_warning(text: str) -> str | None:
    """Why the quiz cannot draw what it says (the pool is too small), or None."""
    quiz = read_quiz(text)
    questions: list[dict[str, Any]] = quiz["questions"]
    messages: list[str] = []
    draw = _whole_number(quiz.get("draw"))
    if draw is not None and draw > len(questions):
        messages.append(
            f"Setiap percobaan mengundi {draw} soal (draw), tetapi bank soal hanya berisi "
            f"{len(questions)} soal."
        )
    per_objective = _whole_number(quiz.get("draw_per_objective"))
    if per_objective is not None:
        counts = Counter(str(q["objective"]) for q in questions if q.get("objective"))
        for objective, count in counts.items():
            if count < per_objective:
                messages.append(
                    f"Setiap percobaan mengundi {per_objective} soal per tujuan pembelajaran "
                    f"(draw_per_objective), tetapi tujuan {objective} hanya memiliki {count} soal."
                )
    return " ".join(messages) or None


def _whole_number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
