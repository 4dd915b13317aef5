"""The zip round trip (issue 14, item 6) through the API: export, import, dry run, all or
nothing, who may do it, and the audit trail."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.courses import service as courses
from app.models import AuditEvent, Course, CourseTrainer, CourseVersion
from tests.courses.course_builder import SLUG, build_course, edit
from tests.factories import UserFactory, World
from tests.reports.test_jp import bearer


@pytest.fixture
def taught(session: Session, world: World, tmp_path: Path) -> Course:
    """The small test course, naming world.trainer in its course.yaml."""
    folder = build_course(tmp_path / "src")
    edit(folder / "course.yaml", lambda d: d.__setitem__("trainers", [world.trainer.nip]))
    courses.import_courses(session, path=folder)
    session.commit()
    course = session.scalar(select(Course).where(Course.slug == SLUG))
    assert course is not None
    return course


def _versions(session: Session, course: Course) -> int:
    session.expire_all()
    stmt = (
        select(func.count()).select_from(CourseVersion).where(CourseVersion.course_id == course.id)
    )
    return int(session.scalar(stmt) or 0)


def _export(client: TestClient, user: object, slug: str = SLUG) -> bytes:
    response = client.get(f"/api/v1/courses/{slug}/export", headers=bearer(client, user))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def _import(client: TestClient, user: object, data: bytes, *, dry_run: bool) -> object:
    return client.post(
        f"/api/v1/courses/import?dry_run={'true' if dry_run else 'false'}",
        files={"file": ("kursus.zip", data, "application/zip")},
        headers=bearer(client, user),
    )


def _rewrite(data: bytes, changes: dict[str, bytes]) -> bytes:
    """The zip with some entries replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info, source.read(info))
        for name, content in changes.items():
            target.writestr(name, content)
    return out.getvalue()


def test_export_is_one_course_folder_with_the_files_of_the_format(
    client: TestClient, world: World, taught: Course
) -> None:
    names = zipfile.ZipFile(io.BytesIO(_export(client, world.trainer))).namelist()
    assert {n.split("/")[0] for n in names} == {SLUG}
    assert {
        f"{SLUG}/course.yaml",
        f"{SLUG}/pretest.yaml",
        f"{SLUG}/posttest.yaml",
        f"{SLUG}/01-modul-1/module.yaml",
        f"{SLUG}/01-modul-1/01-pelajaran.md",
        f"{SLUG}/01-modul-1/quiz.yaml",
        f"{SLUG}/02-modul-2/module.yaml",
        f"{SLUG}/02-modul-2/01-pelajaran.md",
    } == set(names)
    course_yaml = zipfile.ZipFile(io.BytesIO(_export(client, world.trainer))).read(
        f"{SLUG}/course.yaml"
    )
    assert world.trainer.nip and world.trainer.nip.encode() in course_yaml


def test_export_then_import_gives_no_new_version(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    response = _import(client, world.trainer, data, dry_run=False)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["action"] == "unchanged" and body["version"] == 1 and body["problems"] == []
    assert _versions(session, taught) == 1


def test_export_change_one_lesson_and_import_gives_a_new_version(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    lesson = f"{SLUG}/02-modul-2/01-pelajaran.md"
    text = zipfile.ZipFile(io.BytesIO(data)).read(lesson).decode()
    changed = _rewrite(data, {lesson: (text + "\nSatu paragraf baru.\n").encode()})

    dry = _import(client, world.trainer, changed, dry_run=True).json()
    assert dry == {
        "slug": SLUG,
        "version": 2,
        "action": "updated",
        "dry_run": True,
        "problems": [],
        "warnings": dry["warnings"],
    }
    assert _versions(session, taught) == 1  # a dry run writes nothing

    response = _import(client, world.trainer, changed, dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    assert _versions(session, taught) == 2
    again = _import(client, world.trainer, changed, dry_run=False).json()
    assert again["action"] == "unchanged" and again["version"] == 2


def test_a_broken_course_yaml_is_refused_with_its_path_and_line_and_nothing_changes(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    name = f"{SLUG}/course.yaml"
    lines = zipfile.ZipFile(io.BytesIO(data)).read(name).decode().splitlines()
    jp_line = next(i for i, line in enumerate(lines, start=1) if line.startswith("jp:"))
    lines[jp_line - 1] = "jp: [dua"  # a YAML syntax error on that line
    lesson = f"{SLUG}/01-modul-1/01-pelajaran.md"
    broken = _rewrite(
        data, {name: "\n".join(lines).encode(), lesson: b"---\ntitle: Baru\nminutes: 45\n---\nX\n"}
    )
    course_events = select(func.count()).where(AuditEvent.action.like("course.%"))
    events = session.scalar(course_events)

    response = _import(client, world.trainer, broken, dry_run=False)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any(p["path"] == name and p["line"] in (jp_line, jp_line + 1) for p in problems), (
        problems
    )
    assert _versions(session, taught) == 1
    assert session.scalar(course_events) == events

    dry = _import(client, world.trainer, broken, dry_run=True)
    assert dry.status_code == 200 and dry.json()["problems"] and dry.json()["version"] is None


def test_another_trainers_import_of_the_course_is_refused(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    for dry_run in (True, False):
        response = _import(client, other, data, dry_run=dry_run)
        assert response.status_code == 403, response.text
    assert _import(client, world.learner, data, dry_run=True).status_code == 403
    assert _import(client, world.hr, data, dry_run=True).status_code == 403
    anonymous = client.post(
        "/api/v1/courses/import", files={"file": ("k.zip", data, "application/zip")}
    )
    assert anonymous.status_code == 401
    assert _versions(session, taught) == 1
    # An admin may import any course.
    assert _import(client, world.admin, data, dry_run=False).status_code == 200


def test_only_the_courses_trainers_and_admins_export_it(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    url = f"/api/v1/courses/{SLUG}/export"
    assert client.get(url, headers=bearer(client, other)).status_code == 403
    assert client.get(url, headers=bearer(client, world.learner)).status_code == 403
    assert client.get(url, headers=bearer(client, world.hr_other)).status_code == 403
    assert client.get(url).status_code == 401
    missing = client.get("/api/v1/courses/tidak-ada/export", headers=bearer(client, world.admin))
    assert missing.status_code == 404
    assert client.get(url, headers=bearer(client, world.admin)).status_code == 200


def test_a_trainer_imports_a_new_slug_and_then_teaches_it(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.endswith("course.yaml"):
                content = content.replace(b"code: UJI-TUJUAN", b"code: UJI-BARU")
            target.writestr(info.filename.replace(SLUG, "kursus-baru", 1), content)
    response = _import(client, other, out.getvalue(), dry_run=False)
    assert response.status_code == 200, response.text
    assert response.json()["action"] == "created"
    course = session.scalar(select(Course).where(Course.slug == "kursus-baru"))
    assert course is not None
    trainers = session.scalars(
        select(CourseTrainer.user_id).where(CourseTrainer.course_id == course.id)
    )
    assert other.id in set(trainers)


def test_a_new_slug_with_a_code_already_in_use_is_refused_with_the_course_yaml(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename.replace(SLUG, "salinan", 1), source.read(info))
    response = _import(client, world.trainer, out.getvalue(), dry_run=False)
    assert response.status_code == 422
    (problem,) = response.json()["problems"]
    assert problem["path"] == "salinan/course.yaml" and "UJI-TUJUAN" in problem["message"]
    assert session.scalar(select(Course).where(Course.slug == "salinan")) is None


def test_imports_and_exports_are_audited_with_the_real_actor(
    client: TestClient, session: Session, world: World, taught: Course
) -> None:
    data = _export(client, world.trainer)
    _import(client, world.trainer, data, dry_run=True)
    _import(client, world.trainer, data, dry_run=False)
    session.expire_all()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id == SLUG).order_by(AuditEvent.id)
    ).all()
    mine = [(e.action, e.actor_id) for e in events if e.action.startswith("course.")][-3:]
    assert mine == [
        ("course.exported", world.trainer.id),
        ("course.import_checked", world.trainer.id),
        ("course.imported", world.trainer.id),
    ]
