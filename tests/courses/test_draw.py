"""The fair draw: with draw_per_objective every attempt holds exactly K questions for each
objective its pool measures, in random order; a plain `draw` keeps N questions in the author's
order."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.core import clock
from app.courses import service
from app.models import Course, Quiz
from tests.courses.course_builder import OBJECTIVES, build_course, edit


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return build_course(tmp_path)


def _quiz(session: Session, folder: Path, kind: str) -> Quiz:
    service.import_courses(session, path=folder)
    course = session.scalars(select(Course).where(Course.slug == folder.name)).one()
    return session.scalars(
        select(Quiz).where(Quiz.version_id == course.current_version_id, Quiz.kind == kind)
    ).one()


@pytest.fixture
def seeded() -> Iterator[None]:
    clock.seed(20261130)
    yield
    clock.seed(None)


def _objective_of(quiz: Quiz) -> dict[str, str | None]:
    return {q.key: q.objective for q in quiz.questions}


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("kind", ["pretest", "posttest"])
def test_stratified_draw_gives_exactly_k_per_objective(
    session: Session, course: Path, kind: str
) -> None:
    quiz = _quiz(session, course, kind)
    objective_of = _objective_of(quiz)
    seen: Counter[str] = Counter()
    orders: set[tuple[str | None, ...]] = set()
    for _ in range(300):
        paper = assessments.draw_paper(quiz)
        keys = [item["key"] for item in paper]
        assert len(keys) == len(set(keys)) == quiz.paper_size == 8
        assert Counter(objective_of[k] for k in keys) == {o: 2 for o in OBJECTIVES}
        seen.update(keys)
        orders.add(tuple(objective_of[k] for k in keys))
    assert set(seen) == set(objective_of), "every question of the pool gets drawn"
    assert len(orders) > 50, "the drawn questions are shuffled, not grouped by objective"


@pytest.mark.usefixtures("seeded")
def test_plain_draw_keeps_n_questions_in_the_authors_order(session: Session, course: Path) -> None:
    def plain(d: dict[str, Any]) -> None:
        d.pop("draw_per_objective")
        d["draw"] = 5

    edit(course / "posttest.yaml", plain)
    edit(course / "pretest.yaml", lambda d: d.pop("draw_per_objective"))
    quiz = _quiz(session, course, "posttest")
    position = {q.key: q.position for q in quiz.questions}
    for _ in range(50):
        keys = [item["key"] for item in assessments.draw_paper(quiz)]
        assert len(set(keys)) == 5 == quiz.paper_size
        assert keys == sorted(keys, key=position.__getitem__)
