"""Answering quizzes in tests: the right (or a wrong) response for a question of a paper."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.courses.outline import QuestionOutline
from app.models import Enrollment


def right(question: QuestionOutline) -> Any:
    if question.type == "single":
        return next(c.id for c in question.choices if c.correct)
    if question.type == "multiple":
        return [c.id for c in question.choices if c.correct]
    if question.type == "truefalse":
        return bool(question.answer)
    assert isinstance(question.answer, tuple)
    return question.answer[0]


def wrong(question: QuestionOutline) -> Any:
    if question.type == "single":
        return next(c.id for c in question.choices if not c.correct)
    if question.type == "multiple":
        wrong_ids = [c.id for c in question.choices if not c.correct]
        return wrong_ids[:1] or []
    if question.type == "truefalse":
        return not bool(question.answer)
    return "jawaban yang keliru"


def take_pretest(session: Session, enrollment: Enrollment) -> None:
    """Take the pre-test (unanswered) when the course has one: the lessons wait for it."""
    from app.assessments import service as assessments
    from app.completion import service as completion
    from app.courses import repository as courses

    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    quiz = version.quiz_of_kind("pretest")
    if quiz is None or enrollment.pretest_score is not None:
        return
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    completion.submit_attempt(session, attempt_id=attempt.id)


def finish_lessons(session: Session, enrollment: Enrollment) -> None:
    """The pre-test, then every lesson, in the course's order."""
    from app.completion import service as completion
    from app.courses import repository as courses

    take_pretest(session, enrollment)
    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    for module, lesson in version.lessons():
        completion.complete_lesson(
            session, enrollment=enrollment, version=version, module=module, lesson=lesson
        )


def api_take_pretest(client: Any, headers: dict[str, str], slug: str) -> dict[str, Any]:
    """Through the API: enrol, take the pre-test (unanswered); the course outline."""
    client.post(f"/api/v1/courses/{slug}/enrollment", headers=headers)
    outline: dict[str, Any] = client.get(f"/api/v1/courses/{slug}", headers=headers).json()
    pretest = next((q["id"] for q in outline["quizzes"] if q["kind"] == "pretest"), None)
    if pretest is not None:
        attempt = client.post(f"/api/v1/quizzes/{pretest}/attempts", headers=headers)
        if attempt.status_code == 200:
            r = client.post(f"/api/v1/attempts/{attempt.json()['id']}/submission", headers=headers)
            assert r.status_code == 200, r.text
    return outline


def api_finish_lessons(client: Any, headers: dict[str, str], slug: str) -> dict[str, int]:
    """Through the API: enrol, the pre-test, every lesson; the quiz ids by kind (the
    post-test is open)."""
    outline = api_take_pretest(client, headers, slug)
    for module in outline["modules"]:
        for lesson in module["lessons"]:
            r = client.post(f"/api/v1/lessons/{lesson['id']}/completion", headers=headers)
            assert r.status_code == 200, r.text
    return {q["kind"]: q["id"] for q in outline["quizzes"] if q["kind"] != "module"}


def bearer(client: Any, username: str) -> dict[str, str]:
    """API headers for a demo person (every factory person has the same password)."""
    from tests.factories import PASSWORD

    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
