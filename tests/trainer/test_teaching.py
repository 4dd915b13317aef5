"""Who teaches what: `trainers` in course.yaml, manual assignments, the `teaches` rule, the
trainer API, trainers reading their course's figures, and runs on enrolment."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import Invalid
from app.courses import files, runs, teaching
from app.courses import service as courses
from app.learning import service as learning
from app.models import AuditEvent, Course, CourseRun, CourseTrainer, Enrollment
from tests.courses.course_builder import SLUG, build_course, edit
from tests.factories import UserFactory, World
from tests.reports.test_jp import bearer


def _course(session: Session, slug: str) -> Course:
    found = session.scalar(select(Course).where(Course.slug == slug))
    assert found is not None
    return found


def _sources(session: Session, course: Course) -> dict[int, str]:
    rows = session.scalars(select(CourseTrainer).where(CourseTrainer.course_id == course.id))
    return {r.user_id: r.source for r in rows}


def _with_trainers(tmp_path: Path, nips: list[object]) -> Path:
    folder = build_course(tmp_path)
    edit(folder / "course.yaml", lambda d: d.__setitem__("trainers", nips))
    return folder


def test_check_refuses_an_invalid_trainer_nip_at_its_line(tmp_path: Path) -> None:
    folder = _with_trainers(tmp_path, ["198503142015031001", "12345"])
    report = files.check_all(folder)
    assert [p.message for p in report.errors if "trainers" in p.message], report.errors
    (problem,) = report.errors
    assert problem.path.endswith("course.yaml") and "18 digit" in problem.message


def test_check_accepts_an_unquoted_nip_as_yaml_reads_it(tmp_path: Path) -> None:
    folder = _with_trainers(tmp_path, [198503142015031001])
    report = files.check_all(folder)
    assert not report.errors
    assert report.courses[0].data.trainers == ["198503142015031001"]


def test_import_links_known_trainers_warns_about_unknown_and_links_them_later(
    session: Session, world: World, tmp_path: Path
) -> None:
    unknown = "198001012005011003"
    folder = _with_trainers(tmp_path, [world.trainer.nip, unknown, world.learner.nip])
    (outcome,) = courses.import_courses(session, path=folder)
    course = _course(session, SLUG)
    assert _sources(session, course) == {world.trainer.id: "file"}
    assert any(unknown in w and "no account" in w for w in outcome.warnings)
    assert any(world.learner.nip in w and "trainer role" in w for w in outcome.warnings)

    # The person is imported later: the next import (of the unchanged course) links her.
    late = UserFactory(nip=unknown, roles=("trainer",), instansi_id=world.instansi.id)
    (again,) = courses.import_courses(session, path=folder)
    assert again.action == "unchanged"
    assert _sources(session, course) == {world.trainer.id: "file", late.id: "file"}
    assert not any(unknown in w for w in again.warnings)


def test_reimport_keeps_manual_assignments_and_drops_file_trainers_no_longer_named(
    session: Session, world: World, tmp_path: Path
) -> None:
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    manual = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    folder = _with_trainers(tmp_path, [world.trainer.nip, other.nip])
    courses.import_courses(session, path=folder)
    course = _course(session, SLUG)
    assert teaching.assign_trainer(session, course=course, user=manual, actor=None)

    edit(folder / "course.yaml", lambda d: d.__setitem__("trainers", [world.trainer.nip]))
    (outcome,) = courses.import_courses(session, path=folder)
    # Who teaches is not course content: no new version, the links still follow the file.
    assert outcome.action == "unchanged"
    assert _sources(session, course) == {world.trainer.id: "file", manual.id: "manual"}

    edit(folder / "course.yaml", lambda d: d.pop("trainers"))
    courses.import_courses(session, path=folder)
    assert _sources(session, course) == {manual.id: "manual"}


def test_assigning_needs_the_trainer_role_and_is_audited(
    session: Session, world: World, courses_imported: None
) -> None:
    course = _course(session, "literasi-digital")
    with pytest.raises(Invalid):
        teaching.assign_trainer(session, course=course, user=world.learner, actor=None)
    assert teaching.assign_trainer(session, course=course, user=world.trainer, actor=None)
    assert not teaching.assign_trainer(session, course=course, user=world.trainer, actor=None)
    assert teaching.assign_trainer(
        session, course=course, user=world.trainer, actor=None, remove=True
    )
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == "literasi-digital")
    ).all()
    assert "course.trainer_assigned" in actions and "course.trainer_removed" in actions
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "course.trainer_assigned")
    ).one()
    assert event.actor_id is None  # the system (CLI)


def test_teaches_admins_everything_trainers_their_courses_nobody_else(
    session: Session, world: World, courses_imported: None
) -> None:
    lit, sg = _course(session, "literasi-digital"), _course(session, "smart-governance")
    teaching.assign_trainer(session, course=lit, user=world.trainer, actor=None)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    assert teaching.teaches(session, user=world.trainer, course_id=lit.id)
    assert not teaching.teaches(session, user=world.trainer, course_id=sg.id)
    assert not teaching.teaches(session, user=other, course_id=lit.id)
    assert teaching.teaches(session, user=world.admin, course_id=sg.id)
    assert not teaching.teaches(session, user=world.hr, course_id=lit.id)
    assert teaching.taught_course_ids(session, user=world.trainer) == {lit.id}
    assert teaching.taught_course_ids(session, user=world.admin) is None
    assert teaching.taught_course_ids(session, user=world.learner) == set()


def test_api_trainer_courses_lists_taught_courses_admin_all_others_refused(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    lit = _course(session, "literasi-digital")
    teaching.assign_trainer(session, course=lit, user=world.trainer, actor=None)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()

    mine = client.get("/api/v1/trainer/courses", headers=bearer(client, world.trainer))
    assert mine.status_code == 200
    assert mine.json() == [
        {"slug": "literasi-digital", "title": lit.current_version.title, "version": 1}
    ]
    everything = client.get("/api/v1/trainer/courses", headers=bearer(client, world.admin))
    assert {c["slug"] for c in everything.json()} == {
        "literasi-digital",
        "smart-governance",
        "keputusan-berbasis-data",
    }
    assert client.get("/api/v1/trainer/courses", headers=bearer(client, other)).json() == []
    for person in (world.learner, world.hr):
        refused = client.get("/api/v1/trainer/courses", headers=bearer(client, person))
        assert refused.status_code == 403
    assert client.get("/api/v1/trainer/courses").status_code == 401


def test_trainers_of_a_course_read_its_figures_other_trainers_and_learners_do_not(
    client: TestClient, session: Session, world: World, courses_imported: None
) -> None:
    lit = _course(session, "literasi-digital")
    teaching.assign_trainer(session, course=lit, user=world.trainer, actor=None)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    for path in (
        "/api/v1/courses/literasi-digital/gain",
        "/api/v1/courses/literasi-digital/evaluations/summary",
    ):
        assert client.get(path, headers=bearer(client, world.trainer)).status_code == 200
        assert client.get(path, headers=bearer(client, other)).status_code == 404
        assert client.get(path, headers=bearer(client, world.learner)).status_code == 403
        assert client.get(path, headers=bearer(client, world.hr)).status_code == 200
    not_taught = "/api/v1/courses/smart-governance/gain"
    assert client.get(not_taught, headers=bearer(client, world.trainer)).status_code == 404


def test_enrolling_puts_the_learner_in_the_open_run_or_the_run_named(
    session: Session, world: World, courses_imported: None
) -> None:
    lit = _course(session, "literasi-digital")
    version = courses.published_course(session, slug="literasi-digital")
    open_run = runs.open_run(session, course_id=lit.id)
    assert open_run.is_open and runs.open_run(session, course_id=lit.id).id == open_run.id
    enrolled = learning.enrol(session, user=world.learner, version=version)
    assert enrolled.run_id == open_run.id

    cohort = CourseRun(course_id=lit.id, name="Angkatan I", starts_on=open_run.starts_on)
    session.add(cohort)
    session.flush()
    named = learning.enrol(session, user=world.learner2, version=version, run=cohort)
    assert named.run_id == cohort.id
    assert session.scalar(select(Enrollment.run_id).where(Enrollment.id == named.id)) == cohort.id
