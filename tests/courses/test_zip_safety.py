"""A course zip is read safely: limits, no way out of the one top folder, no symlinks; refused
before anything is unpacked, in Indonesian, and an import of such a zip changes nothing."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.authoring import archive
from app.config import get_settings
from app.models import Course
from tests.courses.course_builder import SLUG, build_course
from tests.factories import World
from tests.reports.test_jp import bearer


def _zip_folder(folder: Path, *, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


@pytest.fixture
def good_zip(tmp_path: Path) -> bytes:
    return _zip_folder(build_course(tmp_path))


def test_a_valid_zip_reads_to_the_course(good_zip: bytes) -> None:
    check = archive.check_zip(good_zip)
    assert check.problems == [] and check.course is not None and check.slug == SLUG


@pytest.mark.parametrize(
    "name",
    [f"{SLUG}/../evil.txt", "../evil.txt", f"{SLUG}/media/../../evil.txt", "/etc/evil.txt"],
)
def test_zip_slip_paths_are_refused(tmp_path: Path, name: str) -> None:
    data = _zip_folder(build_course(tmp_path), extra={name: b"x"})
    check = archive.check_zip(data)
    assert check.course is None
    assert any(p.path == name for p in check.problems), check.problems
    assert not (tmp_path / "evil.txt").exists()


def test_a_windows_path_is_refused(tmp_path: Path) -> None:
    data = _zip_folder(build_course(tmp_path), extra={f"{SLUG}\\..\\evil.txt": b"x"})
    check = archive.check_zip(data)
    assert check.course is None and "Windows" in check.problems[0].message


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    folder = build_course(tmp_path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            target.write(path, f"{SLUG}/{path.relative_to(folder).as_posix()}")
        link = zipfile.ZipInfo(f"{SLUG}/media/passwd.png")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        target.writestr(link, "/etc/passwd")
    check = archive.check_zip(out.getvalue())
    assert check.course is None
    assert "symlink" in check.problems[0].message and check.problems[0].path.endswith("passwd.png")


def test_more_than_one_top_folder_or_a_loose_file_is_refused(tmp_path: Path) -> None:
    data = _zip_folder(build_course(tmp_path), extra={"lain/course.yaml": b"code: X\n"})
    check = archive.check_zip(data)
    assert check.course is None and "tepat satu folder" in check.problems[0].message
    loose = _zip_folder(build_course(tmp_path / "b"), extra={"README.md": b"x"})
    check = archive.check_zip(loose)
    assert check.course is None and check.problems[0].path == "README.md"


def test_not_a_zip_and_a_zip_without_course_yaml_are_refused(tmp_path: Path) -> None:
    assert "bukan zip" in archive.check_zip(b"PK\x03\x04 rusak").problems[0].message
    folder = build_course(tmp_path)
    (folder / "course.yaml").unlink()
    check = archive.check_zip(_zip_folder(folder))
    assert check.problems[0].path == f"{SLUG}/course.yaml"


def test_oversize_zips_are_refused_before_unpacking(
    good_zip: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "course_zip_max_bytes", len(good_zip) - 1)
    assert "terlalu besar" in archive.check_zip(good_zip).problems[0].message
    monkeypatch.undo()

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(f"{SLUG}/media/nol.png", b"\0" * (2 * 1024 * 1024))
    monkeypatch.setattr(settings, "course_zip_max_unpacked_bytes", 1024 * 1024)
    assert len(bomb.getvalue()) < 64 * 1024  # small on the wire, large unpacked
    check = archive.check_zip(bomb.getvalue())
    assert check.course is None and "setelah dibuka terlalu besar" in check.problems[0].message
    monkeypatch.undo()

    monkeypatch.setattr(settings, "course_zip_max_entries", 3)
    check = archive.check_zip(good_zip)
    assert check.course is None and "entri" in check.problems[0].message


def test_an_unsafe_zip_imported_through_the_api_changes_nothing(
    client: TestClient, session: Session, world: World, tmp_path: Path
) -> None:
    data = _zip_folder(build_course(tmp_path), extra={f"{SLUG}/../evil.txt": b"x"})
    response = client.post(
        "/api/v1/courses/import?dry_run=false",
        files={"file": ("k.zip", data, "application/zip")},
        headers=bearer(client, world.trainer),
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["path"] == f"{SLUG}/../evil.txt"
    assert session.scalar(select(Course).where(Course.slug == SLUG)) is None
