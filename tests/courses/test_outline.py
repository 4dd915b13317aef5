"""The outline cache holds immutable plain values, safe to share between threads (ARCHITECTURE.md
rule 12)."""

from __future__ import annotations

import dataclasses
import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.courses import repository
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import Answer, Attempt, CourseVersion
from tests.conftest import COURSES, csrf_from, form_token, login
from tests.factories import World
from tests.learning.helpers import api_finish_lessons, api_take_pretest, bearer, right

LEAVES = (str, int, float, bool, type(None), datetime)


def _walk(value: Any, path: str = "outline") -> Iterator[tuple[str, Any]]:
    """Every value reachable from `value`, with where it was found (init=False fields too)."""
    yield path, value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk(key, f"{path} key {key!r}")
            yield from _walk(item, f"{path}[{key!r}]")
    elif isinstance(value, tuple | list | set | dict):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")


def _published(session: Session, slug: str = "smart-governance") -> Outline:
    found = repository.published_outline(session, slug)
    assert found is not None
    return found


@pytest.mark.usefixtures("courses_imported")
def test_cached_outline_is_made_of_frozen_values(session: Session) -> None:
    outline = _published(session)
    assert _published(session) is outline, "the second read comes from the cache"
    dataclass_nodes = [
        (path, value)
        for path, value in _walk(outline)
        if dataclasses.is_dataclass(value) and not isinstance(value, type)
    ]
    kinds = {type(value).__name__ for _, value in dataclass_nodes}
    assert {"Outline", "CourseOutline", "ModuleOutline", "LessonOutline"} <= kinds
    assert {"QuizOutline", "QuestionOutline", "Choice", "Objective"} <= kinds
    for _, value in dataclass_nodes:
        first = dataclasses.fields(value)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, first, getattr(value, first))
        with pytest.raises((AttributeError, TypeError)):
            value.extra = 1  # slots: no attribute can be added either
    with pytest.raises(TypeError):
        outline.completion["lessons"] = "none"  # type: ignore[index]
    assert isinstance(outline.modules, tuple) and isinstance(outline.quizzes, tuple)


@pytest.mark.usefixtures("courses_imported")
def test_no_orm_instance_is_reachable_from_a_cached_outline(session: Session) -> None:
    for slug in ("smart-governance", "literasi-digital", "keputusan-berbasis-data"):
        for path, value in _walk(_published(session, slug)):
            assert inspect(value, raiseerr=False) is None, f"{path} is mapped by SQLAlchemy"
            assert isinstance(value, (*LEAVES, tuple, MappingProxyType)) or (
                dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
            ), f"{path} is a {type(value).__name__}"


@pytest.mark.usefixtures("courses_imported")
def test_outline_lookups_match_its_tuples(session: Session) -> None:
    outline = _published(session)
    module = outline.modules[1]
    lesson = module.lessons[-1]
    assert outline.module(module.slug) is module
    assert outline.lesson(module.slug, lesson.slug) == (module, lesson)
    assert outline.lesson(module.slug, "no-such-lesson") is None
    assert outline.lessons()[0] == (outline.modules[0], outline.modules[0].lessons[0])
    posttest = outline.quiz_of_kind("posttest")
    assert posttest is not None and outline.quiz(posttest.id) is posttest
    question = posttest.questions[0]
    assert posttest.by_key[question.key] is question
    module_quiz = next(q for q in outline.quizzes if q.kind == "module")
    assert outline.quiz_of_kind("module", module_quiz.module_slug) is module_quiz
    assert outline.quiz_of_kind("module", "no-such-module") is None


def test_threads_reading_an_outline_while_another_version_loads_see_consistent_values(
    real_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
    with real_database.unit_of_work(write=False) as s:
        ids = list(s.scalars(select(CourseVersion.id).order_by(CourseVersion.id)))
        expected = {i: repository._load_outline(s, i) for i in ids}  # read afresh, not cached
    assert len(ids) >= 2
    shared, others = ids[0], ids[1:]
    # One entry: every load of another version evicts the shared one, so the readers' hits,
    # their reloads and the third thread's loads really interleave.
    monkeypatch.setattr(repository, "_OUTLINES", OrderedDict())
    monkeypatch.setattr(repository, "_OUTLINES_MAX", 1)
    rounds = 40
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    seen: list[list[Outline]] = [[], []]

    def read(slot: int) -> None:
        try:
            barrier.wait()
            for _ in range(rounds):
                with real_database.unit_of_work(write=False) as s:
                    got = repository.outline(s, shared)
                assert got == expected[shared]
                assert got.lesson(*(x.slug for x in got.lessons()[-1])) == got.lessons()[-1]
                seen[slot].append(got)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def load_others() -> None:
        try:
            barrier.wait()
            for n in range(rounds):
                version_id = others[n % len(others)]
                with real_database.unit_of_work(write=False) as s:
                    assert repository.outline(s, version_id) == expected[version_id]
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(0,)), threading.Thread(target=read, args=(1,))]
    threads.append(threading.Thread(target=load_others))
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert [len(s) for s in seen] == [rounds, rounds]
    # Values read by one thread stay as they were while the others loaded and evicted.
    assert all(got == expected[shared] for got in seen[0] + seen[1])


@pytest.mark.usefixtures("courses_imported")
def test_lesson_page_and_answer_save_work_from_the_cached_values(
    client: TestClient, session: Session, world: World
) -> None:
    h = bearer(client, world.learner.nip or "")
    api_take_pretest(client, h, "smart-governance")
    login(client, world.learner.nip or "")
    token = form_token(client, "/courses/smart-governance")
    outline = _published(session)
    module, lesson = outline.lessons()[1]
    page = client.get(f"/courses/smart-governance/lessons/{module.slug}/{lesson.slug}")
    assert page.status_code == 200
    assert html.escape(lesson.title) in page.text and "Tandai selesai" in page.text
    api_finish_lessons(client, h, "smart-governance")  # the post-test opens

    page = client.post("/courses/smart-governance/quiz/posttest/start", data={"csrf_token": token})
    assert page.status_code == 200
    attempt_url = re.search(
        r'action="(/courses/smart-governance/attempts/\d+)/answer"', page.text
    ).group(1)  # type: ignore[union-attr]
    key = re.search(r'name="question" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    posttest = outline.quiz_of_kind("posttest")
    assert posttest is not None
    value = right(posttest.by_key[key])
    values = (
        value
        if isinstance(value, list)
        else ["true" if value is True else "false" if value is False else value]
    )
    saved = client.post(
        f"{attempt_url}/answer",
        data={"csrf_token": csrf_from(page.text), "question": key, "response": values},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    attempt_id = int(attempt_url.rsplit("/", 1)[1])
    answer = session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).one()
    assert answer.question_key == key
    if isinstance(value, list):
        assert sorted(answer.response) == sorted(value)
    else:
        assert answer.response == value
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None and attempt.quiz_id == posttest.id
