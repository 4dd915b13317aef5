"""The worker's daily backup and the line on the admin settings page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.backup import schema
from app.backup import service as backups
from app.backup.crypto import MAGIC
from app.config import ROOT, get_settings
from app.core import clock
from app.core.db import Database
from tests.backup.conftest import EmptyDatabase
from tests.conftest import login
from tests.factories import World


@pytest.fixture
def backup_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "backups"
    monkeypatch.setenv("CAKAP_BACKUP_DIR", str(directory))
    monkeypatch.setenv("CAKAP_BACKUP_KEEP", "2")
    monkeypatch.setenv("CAKAP_BACKUP_PASSPHRASE", "frasa sandi terjadwal")
    get_settings.cache_clear()
    yield directory
    monkeypatch.undo()
    get_settings.cache_clear()


def test_scheduled_backup_is_encrypted_keeps_the_newest_and_runs_once_a_day(
    real_database: Database, backup_settings: Path
) -> None:
    backup_settings.mkdir(parents=True)
    for old in ("cakap-20260101T191700Z", "cakap-20260102T191700Z", "cakap-20260103T191700Z"):
        (backup_settings / f"{old}.cakapbak").write_bytes(b"old")
    (backup_settings / "hand-made.cakapbak").write_bytes(b"kept: not a scheduled one")

    status = backups.scheduled_backup(real_database)
    assert status is not None and status.status == "ok"
    made = backup_settings / str(status.file)
    assert made.read_bytes().startswith(MAGIC), "never plain"
    assert status.size == made.stat().st_size == status.last_ok_size
    assert sorted(p.name for p in backup_settings.iterdir()) == sorted(
        ["cakap-20260103T191700Z.cakapbak", made.name, "hand-made.cakapbak"]
    )
    assert backups.scheduled_backup(real_database) is None, "today's backup is already made"
    with real_database.unit_of_work(write=False) as s:
        assert backups.last_status(s) == status

    clock.freeze(clock.now() + timedelta(days=1))
    try:
        again = backups.scheduled_backup(real_database)
    finally:
        clock.freeze(None)
    assert again is not None and again.status == "ok" and again.file != status.file


def test_scheduled_backup_without_a_passphrase_is_skipped_never_plain(
    real_database: Database, backup_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAKAP_BACKUP_PASSPHRASE", "")
    get_settings.cache_clear()
    status = backups.scheduled_backup(real_database)
    assert status is not None and status.status == "skipped"
    assert "CAKAP_BACKUP_PASSPHRASE" in (status.message or "")
    assert not backup_settings.exists() or not any(backup_settings.iterdir())


def test_admin_settings_page_shows_the_last_backup_and_a_failure(
    client: TestClient, session: Session, world: World, backup_settings: Path
) -> None:
    backups.record(
        session,
        status="ok",
        at=clock.now() - timedelta(days=1),
        file="cakap-20261129T191700Z.cakapbak",
        size=778_110,
    )
    backups.record(
        session, status="failed", at=clock.now(), message="Pencadangan gagal: disk penuh"
    )
    session.commit()
    assert login(client, world.admin.email or "").status_code == 303
    page = client.get("/admin/settings")
    assert page.status_code == 200
    assert "cakap-20261129T191700Z.cakapbak" in page.text
    assert "759,9 KB" in page.text
    assert "disk penuh" in page.text
    assert "tidak berjalan" not in page.text, "a passphrase is set"


def test_admin_settings_page_warns_when_scheduled_backups_cannot_run(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAKAP_BACKUP_PASSPHRASE", "")
    get_settings.cache_clear()
    try:
        assert login(client, world.admin.email or "").status_code == 303
        page = client.get("/admin/settings")
        assert "Pencadangan harian <strong>tidak berjalan</strong>" in page.text
        assert "Belum ada cadangan yang berhasil" in page.text
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


@pytest.mark.parametrize("who", ["learner", "trainer", "hr"])
def test_backup_line_is_for_admins_only(client: TestClient, world: World, who: str) -> None:
    assert login(client, getattr(world, who).nip).status_code == 303
    assert client.get("/admin/settings").status_code == 403


def test_anonymous_is_sent_to_login_from_the_backup_line(client: TestClient) -> None:
    response = client.get("/admin/settings", follow_redirects=False)
    assert response.status_code in (303, 401, 403)


def _cakap(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_cli_backup_refuses_an_empty_passphrase_and_restores_with_a_passphrase_file(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    source = empty_database("sqlite")
    schema.upgrade(source)
    env = dict(os.environ)
    env.update(CAKAP_DATABASE_URL=source, CAKAP_DATA_DIR=str(tmp_path / "data"))
    env.pop("CAKAP_BACKUP_PASSPHRASE", None)
    out = tmp_path / "cli.cakapbak"

    refused = _cakap(env, "backup", "-o", str(out))
    assert refused.returncode == 1 and "frasa sandi kosong" in refused.stderr
    assert not out.exists()

    secret = tmp_path / "passphrase.txt"
    secret.write_text("frasa sandi dari berkas\n")
    made = _cakap(env, "backup", "-o", str(out), "--passphrase-file", str(secret))
    assert made.returncode == 0, made.stderr
    assert "terenkripsi" in made.stdout and out.read_bytes().startswith(MAGIC)

    env["CAKAP_DATABASE_URL"] = empty_database("sqlite")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("bukan ini")
    refused = _cakap(env, "restore", str(out), "--passphrase-file", str(wrong))
    assert refused.returncode == 1 and "Frasa sandi salah" in refused.stderr
    assert "Traceback" not in refused.stderr
    restored = _cakap(env, "restore", str(out), "--passphrase-file", str(secret))
    assert restored.returncode == 0, restored.stderr
    assert "Dipulihkan" in restored.stdout
    again = _cakap(env, "restore", str(out), "--passphrase-file", str(secret))
    assert again.returncode == 1 and "tidak kosong" in again.stderr
