"""Learners part-way through an older version move to the new one at their next visit (issue 14,
item 5): lessons and attempts kept by identity, a running attempt finished on its version first,
completed enrolments left alone, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.completion import service as completion
from app.core.db import Database
from app.core.errors import Conflict
from app.courses import repository as courses_repository
from app.courses import service as courses
from app.courses.outline import Outline
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Attempt, Course, Enrollment
from tests import factories
from tests.conftest import login
from tests.courses.course_builder import SLUG, build_course, edit, write_lesson
from tests.factories import World
from tests.learning.helpers import take_pretest
from tests.learning.test_races import _parallel


def _course_v1(root: Path) -> Path:
    """The test course with a second lesson in module 1: three lessons, 3 JP."""
    folder = build_course(root)
    write_lesson(folder / "01-modul-1" / "02-tambahan.md", minutes=45)
    edit(folder / "course.yaml", lambda d: d.__setitem__("jp", 3))
    return folder


def _current(session: Session) -> Outline:
    return courses.published_course(session, slug=SLUG)


def _enrol_and_finish(session: Session, world: World, lessons: list[tuple[str, str]]) -> Enrollment:
    version = _current(session)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    session.flush()
    take_pretest(session, enrollment)
    for module_slug, lesson_slug in lessons:
        module, lesson = learning.find_lesson(
            version, module_slug=module_slug, lesson_slug=lesson_slug
        )
        completion.complete_lesson(
            session, enrollment=enrollment, version=version, module=module, lesson=lesson
        )
    session.flush()
    return enrollment


def _publish(session: Session, folder: Path) -> Outline:
    (outcome,) = courses.import_courses(session, path=folder)
    assert outcome.action == "updated"
    session.flush()
    return _current(session)


def _progress(session: Session, enrollment: Enrollment) -> learning.Progress:
    version = courses_repository.outline(session, enrollment.version_id)
    assert version is not None
    done = learning_repository.completed_keys(session, enrollment.id)
    return learning.progress(version, enrollment, done)


def test_a_learner_who_finished_two_lessons_of_v1_has_them_done_on_v2(
    session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(
        session, world, [("modul-1", "pelajaran"), ("modul-2", "pelajaran")]
    )
    (folder / "02-modul-2" / "01-pelajaran.md").write_text(
        "---\ntitle: Pelajaran yang Diperbaiki\nminutes: 45\n---\n\nIsi yang diperbaiki.\n",
        encoding="utf-8",
    )
    v2 = _publish(session, folder)
    assert v2.number == 2

    assert learning.move_to_current(session, enrollment_id=enrollment.id)
    assert enrollment.version_id == v2.id
    state = _progress(session, enrollment)
    assert (state.lessons_done, state.lessons_total) == (2, 3)
    assert state.next_lesson is not None and state.next_lesson[1].slug == "tambahan"
    # The pre-test she took moved with her: its questions are all still there.
    pretest = v2.quiz_of_kind("pretest")
    assert pretest is not None
    moved = session.scalars(select(Attempt).where(Attempt.enrollment_id == enrollment.id)).all()
    assert [a.quiz_id for a in moved] == [pretest.id]
    # A second call (another tab) finds nothing left to do.
    assert not learning.move_to_current(session, enrollment_id=enrollment.id)


def test_a_removed_lessons_progress_does_not_count_on_the_new_version(
    session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(
        session, world, [("modul-1", "pelajaran"), ("modul-1", "tambahan")]
    )
    (folder / "01-modul-1" / "02-tambahan.md").unlink()
    edit(folder / "course.yaml", lambda d: d.__setitem__("jp", 2))
    _publish(session, folder)

    assert learning.move_to_current(session, enrollment_id=enrollment.id)
    state = _progress(session, enrollment)
    assert (state.lessons_done, state.lessons_total) == (1, 2)


def test_an_attempt_in_progress_stays_on_v1_until_handed_in(
    session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    v1 = _current(session)
    enrollment = learning.enrol(session, user=world.learner, version=v1)
    session.flush()
    pretest_v1 = v1.quiz_of_kind("pretest")
    assert pretest_v1 is not None
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=pretest_v1)
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Kursus Uji Tujuan, Edisi 2"))
    v2 = _publish(session, folder)

    assert not learning.should_move(session, enrollment=enrollment, current_version_id=v2.id)
    assert not learning.move_to_current(session, enrollment_id=enrollment.id)
    assert enrollment.version_id == v1.id and attempt.quiz_id == pretest_v1.id

    completion.submit_attempt(session, attempt_id=attempt.id)
    session.flush()
    assert learning.move_to_current(session, enrollment_id=enrollment.id)
    assert enrollment.version_id == v2.id
    pretest_v2 = v2.quiz_of_kind("pretest")
    assert pretest_v2 is not None
    session.refresh(attempt)
    assert attempt.quiz_id == pretest_v2.id and attempt.status != "in_progress"


def test_an_attempt_whose_questions_are_gone_stays_behind(
    session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(session, world, [])
    quiz_file = folder / "01-modul-1" / "quiz.yaml"
    v1 = _current(session)
    module_quiz = v1.quiz_of_kind("module", "modul-1")
    assert module_quiz is not None
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=module_quiz)
    completion.submit_attempt(session, attempt_id=attempt.id)
    edit(quiz_file, lambda d: d["questions"][0].__setitem__("id", "tc-kuis-baru"))
    _publish(session, folder)

    assert learning.move_to_current(session, enrollment_id=enrollment.id)
    session.refresh(attempt)
    assert attempt.quiz_id == module_quiz.id  # left on v1: its question no longer exists


def test_a_completed_enrolment_stays_on_its_version(
    session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(session, world, [])
    v1_id = enrollment.version_id
    enrollment.status = "completed"
    session.flush()
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Kursus Uji Tujuan, Edisi 2"))
    _publish(session, folder)
    assert not learning.move_to_current(session, enrollment_id=enrollment.id)
    assert enrollment.version_id == v1_id


def test_the_next_visit_to_the_course_page_moves_her_and_shows_the_new_version(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(session, world, [("modul-1", "pelajaran")])
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Kursus Uji Tujuan, Edisi 2"))
    v2 = _publish(session, folder)
    session.commit()

    login(client, world.learner.nip or "")
    first = client.get(f"/courses/{SLUG}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].endswith("?diperbarui=1")
    page = client.get(first.headers["location"])
    assert page.status_code == 200 and "Edisi 2" in page.text
    session.expire_all()
    moved = session.get(Enrollment, enrollment.id)
    assert moved is not None and moved.version_id == v2.id
    # Settled: no more redirects.
    assert client.get(f"/courses/{SLUG}", follow_redirects=False).status_code == 200
    course = session.scalar(select(Course).where(Course.slug == SLUG))
    assert course is not None and course.current_version_id == v2.id


def test_a_lesson_page_visit_moves_her_for_the_next_page(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    folder = _course_v1(tmp_path)
    courses.import_courses(session, path=folder)
    enrollment = _enrol_and_finish(session, world, [("modul-1", "pelajaran")])
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Kursus Uji Tujuan, Edisi 2"))
    v2 = _publish(session, folder)
    session.commit()

    login(client, world.learner.nip or "")
    assert client.get(f"/courses/{SLUG}/lessons/modul-1/tambahan").status_code == 200
    session.expire_all()
    moved = session.get(Enrollment, enrollment.id)
    assert moved is not None and moved.version_id == v2.id


def test_parallel_visits_move_her_once_and_a_start_on_the_old_version_is_refused(
    real_database: Database, tmp_path: Path
) -> None:
    """Many tabs at once, each in its own transaction on its own connection: one moves her, the
    others find nothing to do; every attempt ends on one version."""
    folder = _course_v1(tmp_path)
    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=folder)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        user = factories.UserFactory(instansi_id=inst.id)
        v1 = courses.published_course(s, slug=SLUG)
        enrollment = learning.enrol(s, user=user, version=v1)
        s.flush()
        take_pretest(s, enrollment)
        enrollment_id = enrollment.id
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Kursus Uji Tujuan, Edisi 2"))
    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=folder)
        v2_id = courses.published_course(s, slug=SLUG).id

    def visit() -> bool:
        with real_database.unit_of_work() as s:
            return learning.move_to_current(s, enrollment_id=enrollment_id)

    results = _parallel(8, visit)
    assert results.count(True) == 1
    with real_database.unit_of_work() as s:
        moved = learning_repository.enrollment_by_id(s, enrollment_id)
        assert moved is not None and moved.version_id == v2_id
        quiz_ids = set(s.scalars(select(Attempt.quiz_id)))
        v2 = courses_repository.outline(s, v2_id)
        assert v2 is not None and quiz_ids <= {q.id for q in v2.quizzes}
        # A tab still showing v1 tries to start its module quiz: refused, nothing written.
        stale = v1.quiz_of_kind("module", "modul-1")
        assert stale is not None
        with pytest.raises(Conflict):
            assessments.start_attempt(s, enrollment=moved, quiz=stale)
