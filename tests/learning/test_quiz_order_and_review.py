"""The course's order (pre-test → lessons → post-test, PRODUCT.md §4), when a learner sees the
correct answers (the course's `review` setting, §5), and where an attempt resumes; through the
API and the pages, on a small course built in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.courses import files
from app.courses import service as courses
from app.models import LessonProgress
from tests.conftest import csrf_from, form_token, login
from tests.courses.course_builder import SLUG, build_course, edit, line_of
from tests.factories import World
from tests.learning.helpers import api_finish_lessons, api_take_pretest, bearer

LESSON = f"/courses/{SLUG}/lessons/modul-1/pelajaran"
SECRET = "Pembahasan khusus"  # every explanation of the course starts with it


def _write_course(root: Path, **settings: Any) -> Path:
    """The small course (true/false questions whose answer is `true`), with `settings` in its
    course.yaml and an explanation of its own for every question."""
    folder = build_course(root)
    edit(folder / "course.yaml", lambda d: d.update(settings))

    def explain(data: dict[str, Any]) -> None:
        for q in data["questions"]:
            q["explanation"] = f"{SECRET} untuk soal {q['id']}."

    for quiz in ("pretest.yaml", "posttest.yaml", "01-modul-1/quiz.yaml"):
        edit(folder / quiz, explain)
    return folder


def _import(session: Session, root: Path, **settings: Any) -> None:
    _write_course(root, **settings)
    courses.import_courses(session, path=root)
    session.commit()


def _quizzes(client: TestClient, h: dict[str, str]) -> dict[str, int]:
    outline = client.get(f"/api/v1/courses/{SLUG}", headers=h).json()
    return {q["kind"]: q["id"] for q in outline["quizzes"]}


def _lesson_ids(client: TestClient, h: dict[str, str]) -> list[int]:
    outline = client.get(f"/api/v1/courses/{SLUG}", headers=h).json()
    return [les["id"] for m in outline["modules"] for les in m["lessons"]]


def _take(client: TestClient, h: dict[str, str], quiz_id: int, *, right: bool) -> dict[str, Any]:
    """Start, answer every (true/false, answer true) question, submit: the submission result."""
    attempt = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=h)
    assert attempt.status_code == 200, attempt.text
    body = attempt.json()
    for q in body["questions"]:
        r = client.put(
            f"/api/v1/attempts/{body['id']}/answers/{q['id']}", headers=h, json={"response": right}
        )
        assert r.status_code == 200, r.text
    result = client.post(f"/api/v1/attempts/{body['id']}/submission", headers=h)
    assert result.status_code == 200, result.text
    return dict(result.json())


# --- order ----------------------------------------------------------------------------------


@pytest.fixture
def small_course(session: Session, tmp_path: Path) -> None:
    _import(session, tmp_path)


@pytest.mark.usefixtures("small_course")
def test_api_refuses_a_lesson_before_the_pretest_and_accepts_it_after(
    client: TestClient, session: Session, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post(f"/api/v1/courses/{SLUG}/enrollment", headers=h)
    first = _lesson_ids(client, h)[0]
    refused = client.post(f"/api/v1/lessons/{first}/completion", headers=h)
    assert refused.status_code == 409
    assert "pre-test" in refused.json()["detail"]
    assert session.scalar(select(func.count()).select_from(LessonProgress)) == 0

    _take(client, h, _quizzes(client, h)["pretest"], right=False)
    assert client.post(f"/api/v1/lessons/{first}/completion", headers=h).status_code == 200


def _lesson_done_without_pretest(session: Session, world: World) -> None:
    """Someone whose first lesson was recorded before the rule existed: no pre-test score."""
    from app.completion import service as completion
    from app.learning import service as learning

    version = courses.published_course(session, slug=SLUG)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    module, lesson = version.lessons()[0]
    enrollment.pretest_score = 50.0  # let the lesson through, as before the rule
    completion.complete_lesson(session, enrollment=enrollment, module=module, lesson=lesson)
    enrollment.pretest_score = None
    session.commit()


@pytest.mark.usefixtures("small_course")
def test_api_refuses_the_pretest_once_a_lesson_is_done(
    client: TestClient, session: Session, world: World
) -> None:
    _lesson_done_without_pretest(session, world)
    h = bearer(client, world.learner.nip or "")
    refused = client.post(f"/api/v1/quizzes/{_quizzes(client, h)['pretest']}/attempts", headers=h)
    assert refused.status_code == 409
    assert "sebelum pelajaran pertama" in refused.json()["detail"]


@pytest.mark.usefixtures("small_course")
def test_api_refuses_the_posttest_before_the_pretest_and_every_lesson(
    client: TestClient, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post(f"/api/v1/courses/{SLUG}/enrollment", headers=h)
    quizzes = _quizzes(client, h)
    before_pretest = client.post(f"/api/v1/quizzes/{quizzes['posttest']}/attempts", headers=h)
    assert before_pretest.status_code == 409
    assert "pre-test" in before_pretest.json()["detail"]
    practice = client.post(f"/api/v1/quizzes/{quizzes['module']}/attempts", headers=h)
    assert practice.status_code == 200, "module quizzes are practice, open at any time"

    _take(client, h, quizzes["pretest"], right=False)
    lessons = _lesson_ids(client, h)
    client.post(f"/api/v1/lessons/{lessons[0]}/completion", headers=h)
    one_left = client.post(f"/api/v1/quizzes/{quizzes['posttest']}/attempts", headers=h)
    assert one_left.status_code == 409
    assert "masih 1 pelajaran" in one_left.json()["detail"]

    client.post(f"/api/v1/lessons/{lessons[1]}/completion", headers=h)
    assert (
        client.post(f"/api/v1/quizzes/{quizzes['posttest']}/attempts", headers=h).status_code == 200
    )


@pytest.mark.usefixtures("small_course")
def test_lesson_page_before_the_pretest_sends_the_learner_to_the_pretest(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, f"/courses/{SLUG}")
    client.post(f"/courses/{SLUG}/enrol", data={"csrf_token": token})

    resume = client.get(f"/courses/{SLUG}/resume", follow_redirects=False)
    assert resume.headers["location"] == f"/courses/{SLUG}/quiz/pretest"
    page = client.get(LESSON)
    assert page.status_code == 200
    assert "Kerjakan pre-test terlebih dahulu" in page.text
    assert f'href="/courses/{SLUG}/quiz/pretest"' in page.text
    assert "Tandai selesai" not in page.text and "Isi pelajaran." not in page.text

    refused = client.post(f"{LESSON}/complete", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 303 and refused.headers["location"] == LESSON
    assert session.scalar(select(func.count()).select_from(LessonProgress)) == 0
    shown = client.get(LESSON)
    assert "materi terbuka setelah pre-test dikumpulkan" in shown.text  # the flash

    posttest = client.get(f"/courses/{SLUG}/quiz/posttest")
    assert posttest.status_code == 200
    assert "Kerjakan pre-test terlebih dahulu." in posttest.text
    assert "Mulai post-test" not in posttest.text
    assert f'href="/courses/{SLUG}/resume">Lanjutkan kursus' in posttest.text
    started = client.post(
        f"/courses/{SLUG}/quiz/posttest/start", data={"csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303
    assert started.headers["location"] == f"/courses/{SLUG}/quiz/posttest"


@pytest.mark.usefixtures("small_course")
def test_pretest_page_after_a_lesson_says_it_is_closed(client: TestClient, world: World) -> None:
    h = bearer(client, world.learner.nip or "")
    api_take_pretest(client, h, SLUG)
    client.post(f"/api/v1/lessons/{_lesson_ids(client, h)[0]}/completion", headers=h)
    login(client, world.learner.nip or "")
    page = client.get(f"/courses/{SLUG}/quiz/pretest")
    assert page.status_code == 200 and "Mulai pre-test" not in page.text
    assert "satu kali" in page.text  # taken already: the limit speaks first
    with_lesson = client.get(f"/courses/{SLUG}/quiz/posttest")
    assert "masih 1 pelajaran lagi" in with_lesson.text


@pytest.mark.usefixtures("small_course")
def test_pretest_start_is_refused_on_the_page_once_lessons_began(
    client: TestClient, session: Session, world: World
) -> None:
    """The pre-test stays closed once a lesson is done, and the page says why instead of an
    error page."""
    _lesson_done_without_pretest(session, world)
    login(client, world.learner.nip or "")
    page = client.get(f"/courses/{SLUG}/quiz/pretest")
    assert "sebelum pelajaran pertama" in page.text and "Mulai pre-test" not in page.text
    started = client.post(
        f"/courses/{SLUG}/quiz/pretest/start",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert started.headers["location"] == f"/courses/{SLUG}/quiz/pretest"


# --- review ---------------------------------------------------------------------------------


def _result_page(client: TestClient, world: World, attempt_id: int) -> str:
    login(client, world.learner.nip or "")
    page = client.get(f"/courses/{SLUG}/attempts/{attempt_id}/result")
    assert page.status_code == 200
    return page.text


def _assert_withheld(result: dict[str, Any], html: str) -> None:
    assert result["feedback"] is False
    assert result["questions"] and all(q == {"id": q["id"]} for q in result["questions"])
    assert SECRET not in html and "Jawaban yang benar" not in html
    assert "fb-verdict" not in html and "✗" not in html and "✓ Benar" not in html
    assert "Kunci jawaban dan pembahasan" in html


def _assert_shown(result: dict[str, Any], html: str) -> None:
    assert result["feedback"] is True
    assert all(set(q) == {"id", "correct", "explanation"} for q in result["questions"])
    assert all(q["explanation"].startswith(SECRET) for q in result["questions"])
    assert SECRET in html and "fb-verdict" in html


@pytest.mark.parametrize(
    ("settings", "right", "shown"),
    [
        ({}, False, False),  # after_last_attempt (the default), attempts left
        ({"max_attempts": 1}, False, True),  # after_last_attempt, none left
        ({"review": "after_last_attempt"}, True, True),
        ({"review": "after_pass", "max_attempts": 1}, False, False),
        ({"review": "after_pass"}, True, True),
        ({"review": "never"}, True, False),
        ({"review": "never", "max_attempts": 1}, False, False),
    ],
)
def test_posttest_feedback_follows_the_review_setting(
    client: TestClient,
    session: Session,
    world: World,
    tmp_path: Path,
    settings: dict[str, Any],
    right: bool,
    shown: bool,
) -> None:
    _import(session, tmp_path, **settings)
    h = bearer(client, world.learner.nip or "")
    quizzes = api_finish_lessons(client, h, SLUG)
    result = _take(client, h, quizzes["posttest"], right=right)
    assert result["passed"] is right
    again = client.post(f"/api/v1/attempts/{result['id']}/submission", headers=h).json()
    html = _result_page(client, world, result["id"])
    if shown:
        _assert_shown(result, html)
        _assert_shown(again, html)
    else:
        _assert_withheld(result, html)
        _assert_withheld(again, html)


def test_failed_posttest_feedback_appears_once_no_attempt_is_left(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    _import(session, tmp_path, max_attempts=2)
    h = bearer(client, world.learner.nip or "")
    quizzes = api_finish_lessons(client, h, SLUG)
    first = _take(client, h, quizzes["posttest"], right=False)
    _assert_withheld(first, _result_page(client, world, first["id"]))
    second = _take(client, h, quizzes["posttest"], right=False)
    _assert_shown(second, _result_page(client, world, second["id"]))
    assert SECRET in _result_page(client, world, first["id"]), "no attempt left: both shown"


@pytest.mark.usefixtures("small_course")
def test_pretest_never_shows_feedback(client: TestClient, world: World) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post(f"/api/v1/courses/{SLUG}/enrollment", headers=h)
    result = _take(client, h, _quizzes(client, h)["pretest"], right=True)
    assert result["score"] == 100
    _assert_withheld(result, _result_page(client, world, result["id"]))


@pytest.mark.usefixtures("small_course")
def test_module_quiz_always_shows_feedback(client: TestClient, world: World) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post(f"/api/v1/courses/{SLUG}/enrollment", headers=h)
    result = _take(client, h, _quizzes(client, h)["module"], right=False)
    assert result["passed"] is False
    _assert_shown(result, _result_page(client, world, result["id"]))


def test_course_check_reports_an_unknown_review_value(tmp_path: Path) -> None:
    folder = _write_course(tmp_path, review="sometimes")
    errors = [str(p) for p in files.check_all(folder).errors]
    line = line_of(folder / "course.yaml", "review:")
    assert any(f"course.yaml:{line}:" in e and "review" in e for e in errors), errors


def test_review_setting_reaches_the_outline(session: Session, tmp_path: Path) -> None:
    _import(session, tmp_path, review="after_pass")
    assert courses.published_course(session, slug=SLUG).review == "after_pass"


# --- resume ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("small_course")
def test_attempt_page_resumes_at_the_first_unanswered_question(
    client: TestClient, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post(f"/api/v1/courses/{SLUG}/enrollment", headers=h)
    attempt = client.post(f"/api/v1/quizzes/{_quizzes(client, h)['pretest']}/attempts", headers=h)
    body = attempt.json()
    keys = [q["id"] for q in body["questions"]]
    total = len(keys)
    for key in (keys[0], keys[1], keys[3]):
        client.put(
            f"/api/v1/attempts/{body['id']}/answers/{key}", headers=h, json={"response": True}
        )
    login(client, world.learner.nip or "")
    url = f"/courses/{SLUG}/attempts/{body['id']}"
    quiz_page = client.get(f"/courses/{SLUG}/quiz/pretest")
    assert f'href="{url}">Lanjutkan mengerjakan' in quiz_page.text
    page = client.get(url)
    assert f"soal 3 dari {total}" in page.text
    visible = re.findall(r'<form[^>]*id="soal-(\d+)"[^>]*>', page.text)
    shown = [
        m for m in re.findall(r'<form([^>]*id="soal-\d+"[^>]*)>', page.text) if " hidden" not in m
    ]
    assert len(visible) == total and len(shown) == 1 and 'id="soal-3"' in shown[0]
    assert f"soal 1 dari {total}" in client.get(url, params={"q": 1}).text, "?q= still wins"

    for key in keys:
        client.put(
            f"/api/v1/attempts/{body['id']}/answers/{key}", headers=h, json={"response": True}
        )
    assert f"soal {total} dari {total}" in client.get(url).text
