"""`cakap courses assign-trainer SLUG NIP [--remove]`, run as a user would run it."""

from __future__ import annotations

from tests.test_cli import cakap, cli_env  # noqa: F401 (fixture)

TRAINER = "198503142015031001"
LEARNER = "199001012015032002"


def test_assign_trainer_assigns_removes_and_refuses_a_non_trainer(
    cli_env: dict[str, str],  # noqa: F811
) -> None:
    assert cakap(cli_env, "init").returncode == 0
    for nip, role in ((TRAINER, "trainer"), (LEARNER, "learner")):
        made = cakap(
            cli_env, "users", "create", "--nip", nip, "--name", f"Uji {role}",
            "--password", "Rahasia-Uji-123", "--role", role,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr

    done = cakap(cli_env, "courses", "assign-trainer", "literasi-digital", TRAINER)
    assert done.returncode == 0, done.stderr
    assert "ditetapkan sebagai pengajar" in done.stdout
    again = cakap(cli_env, "courses", "assign-trainer", "literasi-digital", TRAINER)
    assert again.returncode == 0 and "sudah menjadi pengajar" in again.stdout

    refused = cakap(cli_env, "courses", "assign-trainer", "literasi-digital", LEARNER)
    assert refused.returncode != 0 and "peran pengajar" in refused.stderr
    unknown = cakap(cli_env, "courses", "assign-trainer", "tidak-ada", TRAINER)
    assert unknown.returncode != 0 and "tidak ditemukan" in unknown.stderr

    removed = cakap(cli_env, "courses", "assign-trainer", "literasi-digital", TRAINER, "--remove")
    assert removed.returncode == 0 and "dilepas dari" in removed.stdout
