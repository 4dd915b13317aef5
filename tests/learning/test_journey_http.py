import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses.outline import QuestionOutline, question_outline
from app.models import Course, Question, Quiz
from tests.conftest import QueryCounter, csrf_from, form_token, login
from tests.factories import PASSWORD, World
from tests.learning.helpers import api_finish_lessons, api_take_pretest, right

pytestmark = pytest.mark.usefixtures("courses_imported")


def bearer(client: TestClient, username: str) -> dict[str, str]:
    token = client.post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def _questions(session: Session) -> dict[str, QuestionOutline]:
    return {q.key: question_outline(q) for q in session.scalars(select(Question))}


def _posttest_size(session: Session, slug: str) -> int:
    """Questions per post-test attempt of the shipped course, whatever its draw rule."""
    quiz = session.scalars(
        select(Quiz)
        .join(Course, Course.current_version_id == Quiz.version_id)
        .where(Course.slug == slug, Quiz.kind == "posttest")
    ).one()
    return quiz.paper_size


def _secrets(session: Session, slug: str) -> list[str]:
    """Strings that would give an answer of course `slug` away: every explanation, and every
    accepted short answer that does not already appear in what learners may read (lessons,
    summaries, question and choice texts). Which choice is correct is checked through the JSON
    shapes. Only this course's questions: another course's short answer "22.0" turned up in a
    timestamp (…:22.012…) one run in a few hundred."""
    from app.models import Course, CourseVersion, Lesson, Module, Quiz

    public = " ".join(
        [les.body_html for les in session.scalars(select(Lesson))]
        + [m.title + " " + m.summary for m in session.scalars(select(Module))]
        + [v.title + " " + v.summary for v in session.scalars(select(CourseVersion))]
        + [
            q.text + " " + " ".join(c["text"] for c in q.choices)
            for q in session.scalars(select(Question))
        ]
    ).casefold()
    questions = session.scalars(
        select(Question)
        .join(Quiz, Question.quiz_id == Quiz.id)
        .join(CourseVersion, Quiz.version_id == CourseVersion.id)
        .join(Course, CourseVersion.course_id == Course.id)
        .where(Course.slug == slug)
    )
    out = []
    for q in questions:
        out.append(q.explanation)
        if q.type == "short":
            out.extend(a for a in q.answer if a.casefold() not in public)
    assert out, f"no questions found for {slug}"
    return out


def test_api_journey_from_enrolment_to_completion(
    client: TestClient, session: Session, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    assert client.post("/api/v1/courses/smart-governance/enrollment", headers=h).status_code == 200
    assert client.post("/api/v1/courses/smart-governance/enrollment", headers=h).status_code == 200
    outline = client.get("/api/v1/courses/smart-governance", headers=h).json()
    pretest = next(q["id"] for q in outline["quizzes"] if q["kind"] == "pretest")
    pre = client.post(f"/api/v1/quizzes/{pretest}/attempts", headers=h).json()
    assert client.post(f"/api/v1/attempts/{pre['id']}/submission", headers=h).status_code == 200
    lesson_ids = [les["id"] for m in outline["modules"] for les in m["lessons"]]
    for lesson_id in lesson_ids:
        r = client.post(f"/api/v1/lessons/{lesson_id}/completion", headers=h)
        assert r.status_code == 200 and r.json()["completed"] is True
    outline = client.get("/api/v1/courses/smart-governance", headers=h).json()
    assert all(les["completed"] for m in outline["modules"] for les in m["lessons"])

    quizzes = {q["kind"]: q["id"] for q in outline["quizzes"]}
    questions = _questions(session)
    attempt = client.post(f"/api/v1/quizzes/{quizzes['posttest']}/attempts", headers=h).json()
    assert attempt["status"] == "in_progress" and attempt["deadline"]
    assert set(attempt) >= {"id", "quiz_id", "status", "deadline", "questions", "answers"}
    for q in attempt["questions"]:
        assert set(q) == {"id", "type", "text", "choices"}
        assert all(set(c) == {"id", "text"} for c in q["choices"])
        r = client.put(
            f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}",
            headers=h,
            json={"response": right(questions[q["id"]])},
        )
        assert r.status_code == 200, r.text
    resumed = client.post(f"/api/v1/quizzes/{quizzes['posttest']}/attempts", headers=h).json()
    assert resumed["id"] == attempt["id"]
    assert len(resumed["answers"]) == len(attempt["questions"])

    result = client.post(f"/api/v1/attempts/{attempt['id']}/submission", headers=h).json()
    assert result["score"] == 100 and result["passed"] is True
    assert all(q["correct"] and q["explanation"] for q in result["questions"])
    again = client.post(f"/api/v1/attempts/{attempt['id']}/submission", headers=h).json()
    assert again["score"] == result["score"]

    progress = client.get("/api/v1/me/progress", headers=h).json()
    assert progress == [
        {
            "course": "smart-governance",
            "percent": 100,
            "status": "completed",
            "completed_at": progress[0]["completed_at"],
            "jp": 6,
            "pretest_score": 0.0,
            "posttest_score": 100.0,
            "learning_gain": 100.0,
        }
    ]
    assert client.get("/api/v1/me", headers=h).json()["jp_this_year"] == 6


def test_no_response_before_submission_contains_a_correct_answer(
    client: TestClient, session: Session, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    quiz_id = api_finish_lessons(client, h, "literasi-digital")["posttest"]
    outline = client.get("/api/v1/courses/literasi-digital", headers=h)
    attempt = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=h)
    bodies = [outline.text, attempt.text]
    assert '"correct"' not in attempt.text and "explanation" not in attempt.text

    login(client, world.learner.nip or "")
    attempt_id = attempt.json()["id"]
    pages = [
        client.get("/courses/literasi-digital"),
        client.get("/courses/literasi-digital/quiz/posttest"),
    ]
    for q in range(1, 11):
        pages.append(
            client.get(f"/courses/literasi-digital/attempts/{attempt_id}", params={"q": q})
        )
    pages.append(client.get(f"/courses/literasi-digital/attempts/{attempt_id}/review"))
    assert all(p.status_code == 200 for p in pages)
    bodies += [p.text for p in pages]
    leaked = [s for s in _secrets(session, "literasi-digital") for body in bodies if s in body]
    assert leaked == []


def test_quiz_works_without_javascript_one_question_per_post(
    client: TestClient, session: Session, world: World
) -> None:
    api_finish_lessons(client, bearer(client, world.learner.nip or ""), "keputusan-berbasis-data")
    login(client, world.learner.nip or "")
    token = form_token(client, "/courses/keputusan-berbasis-data")
    page = client.post(
        "/courses/keputusan-berbasis-data/quiz/posttest/start", data={"csrf_token": token}
    )
    assert page.status_code == 200
    size = _posttest_size(session, "keputusan-berbasis-data")
    assert f"soal 1 dari {size}" in page.text
    attempt_url = re.search(
        r'action="(/courses/keputusan-berbasis-data/attempts/\d+)/answer"', page.text
    ).group(1)  # type: ignore[union-attr]
    questions = _questions(session)
    for n in range(1, size + 1):
        page = client.get(attempt_url, params={"q": n})
        shown = re.findall(r'<form[^>]* id="soal-(\d+)"[^>]*?( hidden)?>', page.text)
        assert [i for i, hidden in shown if not hidden] == [str(n)], "one question on show"
        key = re.search(  # type: ignore[union-attr]
            rf'id="soal-{n}".*?name="question" value="([^"]+)"', page.text, re.S
        ).group(1)
        value = right(questions[key])
        values = (
            value
            if isinstance(value, list)
            else ["true" if value is True else "false" if value is False else value]
        )
        nxt = n + 1 if n < size else -1
        response = client.post(
            f"{attempt_url}/answer",
            data={
                "csrf_token": csrf_from(page.text),
                "question": key,
                "response": values,
                "goto": nxt,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
    review = client.get(f"{attempt_url}/review")
    assert f"Semua {size} soal sudah dijawab" in review.text
    result = client.post(f"{attempt_url}/submit", data={"csrf_token": csrf_from(review.text)})
    assert result.status_code == 200
    assert "Selamat, Anda <strong>lulus</strong>" in result.text
    assert "Pembahasan" in result.text


def test_lesson_pages_mark_done_and_resume(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, "/courses/smart-governance")
    client.post("/courses/smart-governance/enrol", data={"csrf_token": token})
    api_take_pretest(client, bearer(client, world.learner.nip or ""), "smart-governance")
    first = client.get("/courses/smart-governance/resume", follow_redirects=False).headers[
        "location"
    ]
    lesson = client.get(first)
    assert lesson.status_code == 200 and "Tandai selesai" in lesson.text
    done = client.post(
        f"{first}/complete", data={"csrf_token": csrf_from(lesson.text)}, follow_redirects=False
    )
    second = done.headers["location"]
    assert second != first
    assert (
        client.get("/courses/smart-governance/resume", follow_redirects=False).headers["location"]
        == second
    )
    again = client.post(
        f"{first}/complete", data={"csrf_token": csrf_from(lesson.text)}, follow_redirects=False
    )
    assert again.status_code == 303, "marking done twice is harmless"
    course = client.get("/courses/smart-governance")
    assert "Lanjutkan" in course.text and 'class="done"' in course.text


def test_lesson_pages_need_enrolment(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    response = client.get("/courses/smart-governance/lessons/x/y", follow_redirects=False)
    assert response.headers["location"] == "/courses/smart-governance"


def test_another_learner_cannot_touch_my_attempt(
    client: TestClient, session: Session, world: World
) -> None:
    mine = bearer(client, world.learner.nip or "")
    client.post("/api/v1/courses/smart-governance/enrollment", headers=mine)
    outline = client.get("/api/v1/courses/smart-governance", headers=mine).json()
    quiz_id = next(q["id"] for q in outline["quizzes"] if q["kind"] == "pretest")
    attempt_json = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=mine).json()
    theirs = bearer(client, world.learner2.nip or "")
    assert client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=theirs).status_code == 404
    key = attempt_json["questions"][0]["id"]
    assert (
        client.put(
            f"/api/v1/attempts/{attempt_json['id']}/answers/{key}",
            headers=theirs,
            json={"response": "1"},
        ).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/attempts/{attempt_json['id']}/submission", headers=theirs).status_code
        == 404
    )
    client.post("/api/v1/courses/smart-governance/enrollment", headers=theirs)
    login(client, world.learner2.nip or "")
    assert client.get(f"/courses/smart-governance/attempts/{attempt_json['id']}").status_code == 404


def test_lesson_page_uses_a_fixed_number_of_queries(
    client: TestClient, world: World, queries: QueryCounter
) -> None:
    api_take_pretest(client, bearer(client, world.learner.nip or ""), "literasi-digital")
    login(client, world.learner.nip or "")
    token = form_token(client, "/courses/literasi-digital")
    url = client.get("/courses/literasi-digital/resume", follow_redirects=False).headers["location"]
    client.post(f"{url}/complete", data={"csrf_token": token})
    counts = []
    for _ in range(2):
        queries.count = 0
        assert client.get(url).status_code == 200
        counts.append(queries.count)
    # Who is calling; her enrolment with the course's version; the lessons she finished.
    # The outline comes from the per-process cache.
    assert counts == [3, 3], queries.statements


def test_dashboard_shows_progress_and_jp(client: TestClient, world: World) -> None:
    h = bearer(client, world.learner.nip or "")
    client.post("/api/v1/courses/literasi-digital/enrollment", headers=h)
    login(client, world.learner.nip or "")
    page = client.get("/")
    assert "Sedang diikuti" in page.text and "Literasi Digital bagi ASN" in page.text
    assert "/courses/literasi-digital/resume" in page.text
    assert "<strong>0</strong> dari 20 JP" in page.text
