"""The checker's messages in formal Indonesian (app/courses/messages.py): every message
files.py, rules.py and the schemas produce, triggered on a real broken course, translates with
no English left; the trainers' upload page shows the Indonesian words."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.templating import environment
from app.courses import files
from app.courses.messages import in_indonesian
from app.courses.parsed import Problem
from app.models import Course
from tests.authoring.fixtures import course as course
from tests.authoring.test_drafts import _draft_text, _editor, _open
from tests.conftest import form_token, login
from tests.courses.course_builder import build_course, edit, write_lesson
from tests.courses.test_zip_page import PAGE, _zip
from tests.factories import World

Breaker = Callable[[Path], object]

# Words that give away an untranslated message (looked for outside quoted values).
ENGLISH = (
    " should ",
    " must ",
    " is ",
    " are ",
    " the ",
    " not ",
    " only ",
    " needs ",
    " has ",
    "missing",
    "required",
    "not found",
    "unknown",
    "expected",
    "allowed",
    "Input",
    "String",
    "List ",
    "Field",
    "error",
    "found",
    "while ",
)
VALID_NIP = "198701012010011001"


def _english_in(text: str) -> list[str]:
    unquoted = re.sub(r"'[^']*'", "''", f" {text} ")
    return [word for word in ENGLISH if word in unquoted]


def _text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _set(field: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.__setitem__(field, value)


def _course(field: str, value: Any) -> Breaker:
    return lambda folder: edit(folder / "course.yaml", _set(field, value))


def _course_yaml(text: str) -> Breaker:
    return lambda folder: _text(folder / "course.yaml", text)


def _question(index: int, **fields: Any) -> Breaker:
    """Change (or with None, remove) fields of the module quiz's question `index`."""

    def change(data: dict[str, Any]) -> None:
        question = data["questions"][index]
        for name, value in fields.items():
            if value is None:
                question.pop(name, None)
            else:
                question[name] = value

    return lambda folder: edit(folder / "01-modul-1" / "quiz.yaml", change)


def _remove_modules(folder: Path) -> None:
    for module in ("01-modul-1", "02-modul-2"):
        shutil.rmtree(folder / module)


def _pool(path: str, change: Callable[[dict[str, Any]], None]) -> Breaker:
    return lambda folder: edit(folder / path, change)


CHOICES: list[dict[str, Any]] = [{"text": "Ya", "correct": True}, {"text": "Tidak"}]

# (English the checker writes, how to break the course). Each row must produce its message.
CASES: list[tuple[str, Breaker]] = [
    # -- files.py
    ("file is not UTF-8", lambda f: (f / "course.yaml").write_bytes(b"title: Caf\xe9\n")),
    ("mapping values are not allowed here", _course_yaml("title: a: b\n")),
    ("could not find expected ':'", _course_yaml("code: A\ntitle\njp: 2\n")),
    ("that cannot start any token", _course_yaml("code: A\n\tjp: 2\n")),
    ("expected <block end>", _course_yaml("a:\n  - x\n  b: y\n")),
    ("found unexpected end of stream", _course_yaml('title: "tanpa penutup\n')),
    ("expected ',' or ']'", _course_yaml("references: [a, b\ncode: A\n")),
    ("but found another document", _course_yaml("code: A\n---\ncode: B\n")),
    ("found undefined alias", _course_yaml("code: *kode\n")),
    ("found unknown escape character", _course_yaml('title: "a\\qb"\n')),
    ("expected a mapping of fields", _course_yaml("- a\n- b\n")),
    ("is not a valid slug", lambda f: f.rename(f.parent / "Uji_Tujuan")),
    ("module folders are named", lambda f: (f / "modul-tiga").mkdir()),
    (
        "position 01 is also used by 01-lain",
        lambda f: shutil.copytree(f / "01-modul-1", f / "01-lain"),
    ),
    (
        "position 01 is also used by 01-lain.md",
        lambda f: write_lesson(f / "02-modul-2" / "01-lain.md", minutes=1),
    ),
    (
        "a course needs at least one module folder",
        lambda f: _remove_modules(f),
    ),
    (
        "image media/x.png not found",
        lambda f: _text(f / "02-modul-2" / "01-pelajaran.md", _lesson("![x](media/x.png)")),
    ),
    ("module.yaml is missing", lambda f: (f / "02-modul-2" / "module.yaml").unlink()),
    ("unexpected file in a module folder", lambda f: _text(f / "02-modul-2" / "a.txt", "x")),
    ("lesson files are named", lambda f: write_lesson(f / "02-modul-2" / "lain.md", minutes=1)),
    (
        "a module needs at least one lesson",
        lambda f: (f / "02-modul-2" / "01-pelajaran.md").unlink(),
    ),
    (
        "a lesson starts with YAML front matter",
        lambda f: _text(f / "02-modul-2" / "01-pelajaran.md", "Isi tanpa front matter.\n"),
    ),
    (
        "the lesson has no content",
        lambda f: _text(f / "02-modul-2" / "01-pelajaran.md", _lesson("")),
    ),
    (
        "file is not UTF-8",
        lambda f: (f / "02-modul-2" / "01-pelajaran.md").write_bytes(b"---\ntitle: \xe9\n"),
    ),
    (
        "question id 'tc-kuis-1' is used more than once",
        lambda f: shutil.copy(f / "01-modul-1" / "quiz.yaml", f / "02-modul-2" / "quiz.yaml"),
    ),
    ("media type .exe is not allowed", lambda f: _text(f / "media" / "x.exe", "x")),
    ("media type (none) is not allowed", lambda f: _text(f / "media" / "README", "x")),
    (
        "media files are limited to 5 MB",
        lambda f: _text(f / "media" / "besar.png", "x" * (5 * 1024 * 1024 + 1)),
    ),
    # -- schemas.py validators
    ("is listed twice", _course("trainers", [VALID_NIP, VALID_NIP])),
    ("a single question needs at least 2 choices", _question(0, type="single", answer=None)),
    (
        "a single question needs exactly 1 correct choice, has 2",
        _question(0, type="single", answer=None, choices=[{"text": "A", "correct": True}] * 2),
    ),
    (
        "a multiple question needs at least 1 correct choice",
        _question(0, type="multiple", answer=None, choices=[{"text": "A"}, {"text": "B"}]),
    ),
    (
        "choice ids must be unique",
        _question(0, type="single", answer=None, choices=[c | {"id": "a"} for c in CHOICES]),
    ),
    (
        "a single question takes choices, not answer/answers",
        _question(0, type="single", choices=CHOICES),
    ),
    ("a truefalse question needs answer", _question(0, answer=None)),
    ("a truefalse question takes only answer", _question(0, answers=["ya"])),
    ("a short question needs a non-empty answers list", _question(0, type="short", answer=None)),
    ("a short question takes only answers", _question(0, type="short", answers=["ya"])),
    ("use either draw or draw_per_objective", _pool("pretest.yaml", _set("draw", 1))),
    (
        "draw is 5 but the pool has only 1 questions",
        _pool("01-modul-1/quiz.yaml", _set("draw", 5)),
    ),
    # -- rules.py
    (
        "is not measured by any pre-test or post-test question",
        _pool(
            "02-modul-2/module.yaml",
            lambda d: d["objectives"].append({"id": "tc-m2-o3", "text": "Hal ketiga."}),
        ),
    ),
    (
        "objective id 'tc-m1-o1' is also used in 01-modul-1",
        _pool("02-modul-2/module.yaml", lambda d: d["objectives"][0].update(id="tc-m1-o1")),
    ),
    (
        "every pre-test question needs objective",
        _pool("pretest.yaml", lambda d: d["questions"][0].pop("objective")),
    ),
    (
        "every post-test question needs objective",
        _pool("posttest.yaml", lambda d: d["questions"][0].pop("objective")),
    ),
    ("unknown objective 'tc-lain'", _question(0, objective="tc-lain")),
    (
        "draw_per_objective is for pretest.yaml and posttest.yaml only",
        _pool("01-modul-1/quiz.yaml", _set("draw_per_objective", 1)),
    ),
    (
        "has only 2 questions in this pool",
        _pool("pretest.yaml", _set("draw_per_objective", 3)),
    ),
    (
        "has only 1 question in this pool",
        _pool("pretest.yaml", lambda d: d["questions"].pop(0)),
    ),
    (
        "draw_per_objective is 3 here but 2 in pretest.yaml",
        _pool("posttest.yaml", _set("draw_per_objective", 3)),
    ),
    (
        "must measure the same objectives",
        _pool(
            "posttest.yaml",
            lambda d: d.__setitem__(
                "questions", [q for q in d["questions"] if q["objective"] != "tc-m2-o2"]
            ),
        ),
    ),
    ("jp is 3 but the lessons take 90 minutes", _course("jp", 3)),
    # -- pydantic, through the schemas
    ("Field required", lambda f: edit(f / "course.yaml", lambda d: d.pop("title"))),
    ("unknown field", _course("judul", "Kursus")),
    ("String should have at least 3 characters", _course("title", "ab")),
    ("String should have at least 1 character", _course("authors", [{"name": ""}])),
    ("String should have at most 200 characters", _course("title", "a" * 201)),
    ("String should match pattern", _course("code", "uji")),
    ("Input should be a valid string", _course("summary", 12345678901)),
    ("unable to parse string as an integer", _course("jp", "dua")),
    ("got a number with a fractional part", _course("jp", 2.5)),
    ("Input should be a valid integer", _course("jp", [2])),
    ("Input should be a finite number", _course_yaml("jp: .inf\n")),
    ("Input should be greater than or equal to 1", _course("max_attempts", 0)),
    ("Input should be less than or equal to 100", _course("passing_score", 101)),
    ("Input should be 'dasar', 'menengah' or 'lanjut'", _course("level", "mahir")),
    ("Input should be 'id' or 'en'", _course("language", "fr")),
    ("List should have at least 1 item after validation", _course("authors", [])),
    ("List should have at most 50 items", _course("trainers", [VALID_NIP] * 51)),
    ("Input should be a valid list", _course("references", "Buku acuan.")),
    ("Input should be a valid boolean", _question(0, answer="mungkin")),
    ("Input should be a valid dictionary", _course("completion", "all")),
    (
        "Input should be a valid URL",
        lambda f: _text(
            f / "02-modul-2" / "01-pelajaran.md",
            "---\ntitle: Pelajaran\nminutes: 45\nvideo_url: bukan-url\n---\n\nIsi.\n",
        ),
    ),
    (
        "URL scheme should be 'http' or 'https'",
        lambda f: _text(
            f / "02-modul-2" / "01-pelajaran.md",
            "---\ntitle: Pelajaran\nminutes: 45\nvideo_url: ftp://a.id/v\n---\n\nIsi.\n",
        ),
    ),
]


def _lesson(body: str) -> str:
    return f"---\ntitle: Pelajaran\nminutes: 45\n---\n{body}\n"


def _messages(root: Path, breaker: Breaker) -> list[str]:
    folder = build_course(root)
    breaker(folder)
    checked = folder if folder.is_dir() else root / "Uji_Tujuan"
    _parsed, errors, warnings = files.check_course(checked)
    return [p.message for p in errors + warnings]


@pytest.mark.parametrize(("english", "breaker"), CASES, ids=[c[0][:50] for c in CASES])
def test_every_checker_message_has_an_indonesian_translation(
    tmp_path: Path, english: str, breaker: Breaker
) -> None:
    messages = _messages(tmp_path, breaker)
    assert any(english in m for m in messages), messages
    for message in messages:
        translated = in_indonesian(message)
        assert translated != message, message
        assert _english_in(translated) == [], (message, translated)


def test_the_built_course_has_no_message_so_each_case_tests_its_own(tmp_path: Path) -> None:
    assert _messages(tmp_path, lambda folder: None) == []


def test_the_folder_checks_of_check_all_translate(tmp_path: Path) -> None:
    not_a_folder = files.check_all(tmp_path / "tidak-ada").errors
    empty = files.check_all(tmp_path).errors
    first = build_course(tmp_path / "a")
    shutil.copytree(first, tmp_path / "a" / "uji-lain")
    twice = files.check_all(tmp_path / "a").errors
    for problem in not_a_folder + empty + twice:
        translated = in_indonesian(problem.message)
        assert translated != problem.message and _english_in(translated) == []
    assert in_indonesian(twice[0].message) == "kode UJI-TUJUAN sudah dipakai oleh uji-lain"


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("questions[3].choices: Field required", "questions[3].choices: wajib diisi"),
        ("title: String should have at least 3 characters", "title: minimal 3 karakter"),
        ("jp: Input should be a valid integer", "jp: harus bilangan bulat"),
        (
            "authors: List should have at least 1 item after validation, not 0",
            "authors: harus berisi paling sedikit 1 butir (saat ini 0)",
        ),
        (
            "max_attempts: Input should be greater than or equal to 1",
            "max_attempts: paling sedikit 1",
        ),
        (
            "level: Input should be 'dasar', 'menengah' or 'lanjut'",
            "level: harus salah satu dari: 'dasar', 'menengah', 'lanjut'",
        ),
        ("judul: unknown field", "judul: kolom tidak dikenal"),
        ("file is not UTF-8", "berkas bukan UTF-8"),
        (
            "image media/x.png not found in the course's media/ folder",
            "gambar media/x.png tidak ada di folder media/ kursus",
        ),
        (
            "uji/01-a/module.yaml:4: objective 'tc-a' is not measured by any pre-test or "
            "post-test question (kisi-kisi)",
            "uji/01-a/module.yaml:4: tujuan pembelajaran 'tc-a' tidak diukur oleh soal pre-test "
            "atau post-test mana pun (kisi-kisi)",
        ),
        (
            "jp is 3 but the lessons take 90 minutes = 2.00 JP of 45 minutes, "
            "which rounds (nearest) to 2",
            "jp bernilai 3, tetapi pelajaran berdurasi 90 menit = 2,00 JP (1 JP = 45 menit), "
            "yang dibulatkan (jp_rounding: nearest) menjadi 2",
        ),
        (
            "YAML syntax error: could not find expected ':' "
            "(while scanning a simple key started on line 2)",
            "kesalahan sintaks YAML: tanda ':' yang diharapkan tidak ditemukan "
            "(kunci yang dimulai pada baris 2)",
        ),
        (
            "trainers: trainers[1]: NIP 1987 is listed twice",
            "trainers: trainers[1]: NIP 1987 tercantum dua kali",
        ),
        (
            "questions[0]: Value error, a short question takes only answers",
            "questions[0]: soal short hanya memakai answers (tanpa choices dan answer)",
        ),
        (
            "code: String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'",
            "code: hanya boleh berisi huruf kecil a-z, angka 0-9, dan tanda hubung (-) "
            "(pola '^[a-z0-9]+(-[a-z0-9]+)*$')",
        ),
        (
            "trainer 198701012010011001: no account with this NIP yet; linked at a later import",
            "pengajar 198701012010011001: belum ada akun dengan NIP ini; akan ditautkan pada "
            "impor berikutnya",
        ),
    ],
)
def test_exact_translations(message: str, expected: str) -> None:
    assert in_indonesian(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "",
        "Berkas ini bukan zip yang sah.",
        "trainers: trainers[0]: '123': NIP harus 18 digit (diberikan 3 digit).",
        "something entirely new: with a colon",
        "a.b:12: still unknown",
        "questions[0]: ",
        ":0: ",
    ],
)
def test_unknown_or_indonesian_messages_come_back_unchanged(message: str) -> None:
    assert in_indonesian(message) == message


def test_the_id_message_filter_translates_problems_and_warning_lines() -> None:
    import app.authoring.routes  # noqa: F401  (registers the filter, as the app does)

    template = environment().from_string("{{ p.message|id_message }} | {{ w|id_message }}")
    problem = Problem("uji/course.yaml", 3, "jp: Field required")
    rendered = template.render(p=problem, w=str(problem))
    assert rendered == "jp: wajib diisi | uji/course.yaml:3: jp: wajib diisi"


def _upload(client: TestClient, folder: Path) -> httpx.Response:
    return client.post(
        PAGE,
        data={"csrf_token": form_token(client, PAGE)},
        files={"file": ("kursus.zip", _zip(folder), "application/zip")},
    )


def test_the_upload_page_shows_a_broken_course_yaml_in_indonesian(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    folder = build_course(tmp_path)
    edit(folder / "course.yaml", lambda d: d.update(jp="dua", level="mahir"))
    login(client, world.trainer.nip or "")
    response = _upload(client, folder)
    assert response.status_code == 422
    assert "jp: harus bilangan bulat (tulis dengan angka)" in response.text
    assert (
        "level: harus salah satu dari: &#39;dasar&#39;, &#39;menengah&#39;, &#39;lanjut&#39;"
        in (response.text)
    )
    assert "Input should be" not in response.text


def test_the_upload_page_shows_warnings_in_indonesian(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    folder = build_course(tmp_path)
    edit(
        folder / "02-modul-2" / "module.yaml",
        lambda d: d["objectives"].append({"id": "tc-m2-o3", "text": "Hal ketiga."}),
    )
    login(client, world.trainer.nip or "")
    response = _upload(client, folder)
    assert response.status_code == 200, response.text
    assert "uji-tujuan/02-modul-2/module.yaml:" in response.text
    assert "tujuan pembelajaran &#39;tc-m2-o3&#39; tidak diukur" in response.text
    assert "is not measured" not in response.text


def test_the_draft_pages_show_the_checkers_messages_in_indonesian(
    client: TestClient,
    session: Session,
    world: World,
    course: Course,
) -> None:
    draft_url = _open(client, world)
    csrf, revision, _ = _editor(client, draft_url, "course.yaml")
    text = _draft_text(session, "course.yaml").replace("jp: 2", "jp: 5")
    saved = client.post(
        f"{draft_url}/file",
        data={"csrf_token": csrf, "path": "course.yaml", "revision": str(revision), "text": text},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    editor = client.get(f"{draft_url}/file", params={"path": "course.yaml"}).text
    review = client.get(f"{draft_url}/publish").text
    for page in (editor, review):
        assert "jp bernilai 5, tetapi pelajaran berdurasi 90 menit" in page
        assert "but the lessons take" not in page
