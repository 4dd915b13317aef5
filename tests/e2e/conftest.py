"""A real server (uvicorn, one process as SQLite is served) and the job worker, on a fresh
SQLite database with the demo data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from app.config import ROOT
from tests.e2e.browser import CHROMIUM, launch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# An account of its own for the accessibility walk, so that no other browser test finds the
# privacy notice already accepted by it.
A11Y_USER = "aksesibilitas@cakap.test"
A11Y_PASSWORD = "Aksesibilitas-2026"
# And one for the offline quiz walk (tests/e2e/test_quiz_offline.py).
OFFLINE_USER = "luring@cakap.test"
OFFLINE_PASSWORD = "Kuis-Luring-2026"


def prepare(data: Path) -> dict[str, str]:
    """An environment with a fresh SQLite database holding the courses and the demo."""
    env = dict(os.environ)
    env.update(CAKAP_DATABASE_URL=f"sqlite:///{data / 'e2e.db'}", CAKAP_DATA_DIR=str(data))
    env.pop("CAKAP_TEST_DATABASE_URL", None)
    a11y = [
        "users",
        "create",
        "--email",
        A11Y_USER,
        "--name",
        "Peserta Uji Aksesibilitas",
        "--password",
        A11Y_PASSWORD,
        "--role",
        "learner",
        "--instansi",
        "3206",
    ]
    offline = [*a11y]
    offline[offline.index(A11Y_USER)] = OFFLINE_USER
    offline[offline.index(A11Y_PASSWORD)] = OFFLINE_PASSWORD
    offline[offline.index("Peserta Uji Aksesibilitas")] = "Peserta Uji Kuis Luring"
    for step in (["init"], ["demo"], a11y, offline):
        subprocess.run(
            [sys.executable, "-m", "app", *step],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return env


def start_server(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    env = {**env, "CAKAP_BASE_URL": f"http://127.0.0.1:{port}"}  # QR codes point at this server
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:
                if response.status == 200:
                    return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(
                    "the server did not start: " + (server.stderr.read() or b"").decode()
                ) from None
            time.sleep(0.2)


def start_worker(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`cakap worker`, as `make run` starts it: renders certificates, runs imports."""
    return subprocess.Popen(
        [sys.executable, "-m", "app", "worker"],
        env={**env, "CAKAP_BASE_URL": f"http://127.0.0.1:{port}"},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = prepare(tmp_path_factory.mktemp("live"))
    port = free_port()
    server = start_server(env, port)
    worker = start_worker(env, port)
    yield f"http://127.0.0.1:{port}"
    for process in (server, worker):
        process.terminate()
    for process in (server, worker):
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (make test does) or set CAKAP_CHROMIUM"
        )
    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()
