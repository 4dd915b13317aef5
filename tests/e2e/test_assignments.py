"""An HR officer assigns a course to a unit in the browser; a learner created afterwards in
that unit sees it on her dashboard with the deadline, and is enrolled when she opens it.

With CAKAP_SHOTS_DIR set, it also leaves screenshots of the assignment pages, the learner's
card and an assignment e-mail at 360 and 1280 px there."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import ROOT
from app.core import clock
from app.core.templating import tanggal
from tests.e2e.conftest import free_port, prepare, start_server
from tests.e2e.screenshots import shoot_emails

pytestmark = pytest.mark.e2e

HR_EMAIL = "penugasan.hr@cakap.test"
LEARNER_EMAIL = "pegawai.baru@cakap.test"
PASSWORD = "Penugasan-Uji-2026"
SHOTS = os.environ.get("CAKAP_SHOTS_DIR")


def _cakap(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, cwd=ROOT, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """A server of its own: this test makes people, which other browser tests must not meet."""
    env = prepare(tmp_path_factory.mktemp("assign"))
    _cakap(
        env,
        *("users", "create", "--email", HR_EMAIL, "--name", "Nurhayati, S.IP."),
        *("--password", PASSWORD, "--role", "hr", "--role", "learner", "--instansi", "3206"),
    )
    port = free_port()
    process = start_server(env, port)
    yield f"http://127.0.0.1:{port}", env
    process.terminate()
    process.wait(timeout=15)


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("text=Saya telah membaca dan menyetujui")


def _shoot(browser: Browser, base: str, username: str, name: str, path: str) -> None:
    if not SHOTS:
        return
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        _login(page, base, username)
        page.goto(f"{base}{path}")
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        context.close()


def test_hr_assigns_a_unit_and_a_learner_created_afterwards_sees_it(
    server: tuple[str, dict[str, str]], browser: Browser
) -> None:
    base, env = server
    due = clock.local_today() + timedelta(days=14)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, base, HR_EMAIL)
    page.click("nav >> text=Penugasan")
    expect(page.locator("h1")).to_have_text("Penugasan pelatihan wajib")
    page.click("text=+ Buat penugasan")
    page.click("button:has-text('Tugaskan')")  # nothing chosen: the form says what is missing
    expect(page.locator("[role=alert]")).to_contain_text("Pilih kursus")
    page.select_option("#course", "literasi-digital")
    page.check("input[name=units][value='KEC.SINGAPARNA']")
    page.fill("#due_on", due.isoformat())
    page.click("button:has-text('Tugaskan')")
    expect(page.locator("h1")).to_have_text("Literasi Digital bagi ASN")
    expect(page.locator(".facts")).to_contain_text(tanggal(due))
    people_before = page.locator("tbody tr").count()
    assert people_before > 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    detail = page.url.removeprefix(base)
    context.close()

    # Someone joins the unit after the assignment was made.
    _cakap(
        env,
        *("users", "create", "--email", LEARNER_EMAIL, "--name", "Yuyun Yuniarti, A.Md."),
        *("--password", PASSWORD, "--instansi", "3206", "--unit", "KEC.SINGAPARNA"),
    )
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, base, LEARNER_EMAIL)
    card = page.locator("section[aria-labelledby=wajib-judul]")
    expect(card).to_contain_text("Literasi Digital bagi ASN")
    expect(card).to_contain_text(tanggal(due))
    expect(card).to_contain_text("belum mulai")
    _shoot(browser, base, LEARNER_EMAIL, "dashboard-pelatihan-wajib", "/")
    card.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Literasi Digital bagi ASN")
    page.click("nav >> text=Beranda")
    expect(card).to_contain_text("berjalan")
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, base, HR_EMAIL)
    page.goto(f"{base}{detail}")
    expect(page.locator("tbody tr")).to_have_count(people_before + 1)
    expect(page.locator("tbody")).to_contain_text("Yuyun Yuniarti")
    context.close()

    _shoot(browser, base, HR_EMAIL, "penugasan-daftar", "/hr/assignments")
    _shoot(browser, base, HR_EMAIL, "penugasan-baru", "/hr/assignments/new")
    _shoot(browser, base, HR_EMAIL, "penugasan-rincian", detail)
    _shoot(browser, base, HR_EMAIL, "akun-ringkasan", "/account")
    if SHOTS:
        shoot_emails(browser, base=base, out=Path(SHOTS))
