"""A small course (tests/courses/course_builder.py) that the world's trainer teaches: a fixture
for the draft tests and the checker-message page tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.courses import teaching
from app.models import Course
from tests.courses.course_builder import SLUG, build_course
from tests.factories import World


@pytest.fixture
def course(session: Session, world: World, tmp_path: Path) -> Course:
    courses.import_courses(session, path=build_course(tmp_path))
    found = session.scalar(select(Course).where(Course.slug == SLUG))
    assert found is not None
    teaching.assign_trainer(session, course=found, user=world.trainer, actor=None)
    session.commit()
    return found
