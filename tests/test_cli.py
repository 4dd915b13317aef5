"""The `cakap` command, run as a user would run it (a subprocess against a file database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ROOT


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CAKAP_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["CAKAP_DATA_DIR"] = str(tmp_path)
    return env


def cakap(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


def test_init_demo_users_and_people_import(cli_env: dict[str, str], tmp_path: Path) -> None:
    first = cakap(cli_env, "init")
    assert first.returncode == 0, first.stderr
    assert "literasi-digital: baru (versi 1)" in first.stdout
    again = cakap(cli_env, "init")
    assert "tidak berubah" in again.stdout, "init is idempotent"

    demo = cakap(cli_env, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "199003142015032001" in demo.stdout
    assert "sudah ada" in cakap(cli_env, "demo").stdout

    # The demo's certificates are rendered by the worker; then a course's are reissued, in
    # every core by default (the option used to default to 0 processes and exit 2).
    assert cakap(cli_env, "worker", "--once").returncode == 0
    short = cakap(cli_env, "certificates", "reissue", "--course", "sgov", "--reason", "Uji")
    assert short.returncode != 0 and "minimal 5 karakter" in short.stderr
    assert "Menerbitkan ulang" not in short.stdout, "refused before rendering anything"
    reissued = cakap(
        cli_env, "certificates", "reissue", "--course", "sgov", "--reason", "Data jabatan keliru"
    )
    assert reissued.returncode == 0, reissued.stderr
    assert "sertifikat diterbitkan ulang dengan" in reissued.stdout
    assert not reissued.stdout.startswith("0 sertifikat")

    bad = cakap(
        cli_env,
        "users",
        "create",
        "--nip",
        "198513122010011002",
        "--name",
        "Uji",
        "--password",
        "Sandi-Uji-12345",
        "--role",
        "learner",
    )
    assert bad.returncode != 0
    assert "tanggal lahir 1985-13-12 tidak valid" in bad.stderr

    good = cakap(
        cli_env,
        "users",
        "create",
        "--nip",
        "19850312 201001 1 002",
        "--name",
        "Asep, S.Kom.",
        "--password",
        "Sandi-Uji-12345",
        "--role",
        "trainer",
        "--instansi",
        "3206",
        "--unit",
        "DISKOMINFO",
    )
    assert good.returncode == 0, good.stderr
    duplicate = cakap(
        cli_env,
        "users",
        "create",
        "--nip",
        "198503122010011002",
        "--name",
        "Lagi",
        "--password",
        "Sandi-Uji-12345",
        "--role",
        "learner",
    )
    assert duplicate.returncode != 0 and "sudah terdaftar" in duplicate.stderr
    weak = cakap(
        cli_env,
        "users",
        "create",
        "--email",
        "x@contoh.test",
        "--name",
        "X",
        "--password",
        "pendek",
        "--role",
        "admin",
    )
    assert weak.returncode != 0 and "minimal 12 karakter" in weak.stderr

    sheet = tmp_path / "asn.csv"
    sheet.write_text(
        "nip;nama\n198703152011012003;Neneng\n198513122010011009;Salah\n", encoding="utf-8"
    )
    dry = cakap(cli_env, "people", "import", str(sheet), "--dry-run")
    assert dry.returncode == 2
    assert "1 akan dibuat" in dry.stdout and "tanggal lahir 1985-13-12" in dry.stdout
    from sqlalchemy import create_engine, text

    engine = create_engine(cli_env["CAKAP_DATABASE_URL"])
    with engine.connect() as conn:
        audited = conn.execute(
            text("SELECT count(*) FROM audit_event WHERE action = 'people.import_preview'")
        ).scalar()
    engine.dispose()
    assert audited == 1, "a dry run is audited"
    real = cakap(cli_env, "people", "import", str(sheet))
    assert "1 dibuat" in real.stdout
    assert "1 dibuat" not in cakap(cli_env, "people", "import", str(sheet)).stdout


def test_courses_check_prints_path_line_message_and_fails(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", copy)
    ok = cakap(cli_env, "courses", "check", str(copy))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    (copy / "smart-governance" / "course.yaml").write_text(
        "code: SGOV\ntitle: Ok judul\njp: -1\n", encoding="utf-8"
    )
    broken = cakap(cli_env, "courses", "check", str(copy))
    assert broken.returncode == 1
    assert (
        "smart-governance/course.yaml:3: jp: Input should be greater than or equal to 1"
        in broken.stdout
    )
    assert "smart-governance/course.yaml:1: summary: Field required" in broken.stdout

    cakap(cli_env, "init", "--courses", str(ROOT / "courses"))
    refused = cakap(cli_env, "courses", "import", str(copy))
    assert refused.returncode == 1 and "tidak ada kursus yang diimpor" in refused.stderr
