"""The widyaiswara's view: the courses a trainer teaches, their runs and learners."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.courses import repository as courses
from app.courses import teaching
from app.models import User


@dataclass(frozen=True)
class TaughtCourse:
    id: int
    slug: str
    title: str
    version: int
    code: str
    jp: int


def taught_courses(session: Session, *, user: User) -> list[TaughtCourse]:
    """The published courses `user` teaches (admins: all), and those where she trains a
    run, by title."""
    ids = teaching.taught_course_ids(session, user=user)
    if ids is not None:
        ids |= teaching.run_trainer_course_ids(session, user=user)
    return [
        TaughtCourse(c.id, c.slug, v.title, v.number, c.code, v.jp)
        for c, v in courses.published(session, course_ids=ids)
    ]
