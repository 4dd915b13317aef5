"""The trainer's upload page (dry run, then Terbitkan; no JavaScript), the page export, and
`cakap courses export`."""

from __future__ import annotations

import getpass
import io
import re
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Course, CourseVersion
from tests.conftest import form_token, login
from tests.courses.course_builder import SLUG, build_course, edit
from tests.factories import UserFactory, World
from tests.test_cli import cakap, cli_env  # noqa: F401  (fixture)

PAGE = "/trainer/courses/import"


def _zip(folder: Path) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return out.getvalue()


def _upload(client: TestClient, data: bytes) -> object:
    return client.post(
        PAGE,
        data={"csrf_token": form_token(client, PAGE)},
        files={"file": ("kursus.zip", data, "application/zip")},
    )


def test_dry_run_then_terbitkan_publishes_a_new_course_for_its_trainer(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    login(client, world.trainer.nip or "")
    checked = _upload(client, _zip(build_course(tmp_path)))
    assert checked.status_code == 200, checked.text
    assert "Pemeriksaan berhasil" in checked.text and "Terbitkan" in checked.text
    assert session.scalar(select(Course).where(Course.slug == SLUG)) is None  # not yet

    token = re.search(r'name="token" value="([^"]+)"', checked.text)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', checked.text)
    assert token and csrf
    published = client.post(
        f"{PAGE}/publish",
        data={"csrf_token": csrf.group(1), "token": token.group(1)},
        follow_redirects=False,
    )
    assert published.status_code == 303 and published.headers["location"] == PAGE
    session.expire_all()
    course = session.scalar(select(Course).where(Course.slug == SLUG))
    assert course is not None
    page = client.get(PAGE)
    assert "diterbitkan sebagai versi 1" in page.text
    assert f"/trainer/courses/{SLUG}/export.zip" in page.text
    download = client.get(f"/trainer/courses/{SLUG}/export.zip")
    assert download.status_code == 200
    assert f"{SLUG}/course.yaml" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()


def test_problems_are_shown_as_a_table_with_path_and_line_and_422(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    folder = build_course(tmp_path)
    edit(folder / "course.yaml", lambda d: d.__setitem__("jp", "dua"))
    login(client, world.trainer.nip or "")
    response = _upload(client, _zip(folder))
    assert response.status_code == 422
    assert "Zip ditolak" in response.text and "/import/publish" not in response.text
    assert f"<code>{SLUG}/course.yaml</code>" in response.text


def test_the_upload_page_is_for_trainers_and_admins_and_needs_csrf(
    client: TestClient, world: World, tmp_path: Path
) -> None:
    assert client.get(PAGE, follow_redirects=False).status_code in (303, 401)
    login(client, world.learner.nip or "")
    assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    login(client, world.hr_other.nip or "")
    assert client.get(PAGE).status_code == 403
    client.cookies.clear()
    login(client, world.trainer.nip or "")
    assert client.get(PAGE).status_code == 200
    no_csrf = client.post(
        PAGE, files={"file": ("k.zip", _zip(build_course(tmp_path)), "application/zip")}
    )
    assert no_csrf.status_code == 403


def test_publishing_another_trainers_course_through_the_page_is_refused(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    from app.courses import service as courses

    folder = build_course(tmp_path)
    courses.import_courses(session, path=folder)
    other = UserFactory(roles=("trainer",), instansi_id=world.instansi.id)
    session.commit()
    login(client, other.nip or "")
    edit(folder / "course.yaml", lambda d: d.__setitem__("title", "Judul yang Diubah"))
    assert _upload(client, _zip(folder)).status_code == 403
    session.expire_all()
    versions = select(func.count()).select_from(CourseVersion)
    assert session.scalar(versions) == 1
    assert client.get(f"/trainer/courses/{SLUG}/export.zip").status_code == 403


def test_cli_export_writes_a_zip_that_imports_back_unchanged(
    cli_env: dict[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    folder = build_course(tmp_path / "src")
    assert cakap(cli_env, "init", "--courses", str(folder)).returncode == 0
    target = tmp_path / "kursus.zip"
    done = cakap(cli_env, "courses", "export", SLUG, "-o", str(target))
    assert done.returncode == 0, done.stderr
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(target).extractall(unpacked)
    again = cakap(cli_env, "courses", "import", str(unpacked / SLUG))
    assert again.returncode == 0, again.stderr
    assert "tidak berubah (versi 1)" in again.stdout
    missing = cakap(cli_env, "courses", "export", "tidak-ada", "-o", str(tmp_path / "x.zip"))
    assert missing.returncode != 0 and "tidak ditemukan" in missing.stderr

    # A changed lesson imported from the command line: a new version, audited with the
    # command and the operating-system account that ran it (there is no signed-in actor).
    lesson = unpacked / SLUG / "02-modul-2" / "01-pelajaran.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nTambahan.\n", encoding="utf-8")
    changed = cakap(cli_env, "courses", "import", str(unpacked / SLUG))
    assert changed.returncode == 0 and "versi baru (versi 2)" in changed.stdout, changed.stderr
    engine = create_engine(cli_env["CAKAP_DATABASE_URL"])
    with Session(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "course.updated")).one()
        assert event.actor_id is None
        assert event.detail["via"] == "cakap courses import"
        assert event.detail["os_user"] == getpass.getuser()
    engine.dispose()


def test_publishing_with_an_unknown_or_hostile_token_is_not_found(
    client: TestClient, world: World
) -> None:
    login(client, world.trainer.nip or "")
    csrf = form_token(client, PAGE)
    for token in ("x" * 5000, "../../etc/passwd", "tidak-ada-unggahan-seperti-ini"):
        response = client.post(f"{PAGE}/publish", data={"csrf_token": csrf, "token": token})
        assert response.status_code == 404, token
