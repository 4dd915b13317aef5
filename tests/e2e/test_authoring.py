"""Issue 14 in a real browser: the demo widyaiswara opens a draft of Smart Governance, fixes a
lesson, previews it (the live preview follows her typing), adds a post-test question, reviews the
diff and publishes version 2 with a change note; a learner who had finished two lessons of
version 1 still has them done on version 2.

With CAKAP_SHOTS_DIR set, it also leaves screenshots of the editor pages at 360 and 1280 px."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.config import ROOT
from app.demo import TRAINER, TRAINER_PASSWORD
from tests.e2e.conftest import free_port, prepare, start_server

pytestmark = pytest.mark.e2e

SLUG = "smart-governance"
LEARNER_EMAIL = "peserta.versi@cakap.test"
LEARNER_PASSWORD = "Versi-Uji-2026"
SHOTS = os.environ.get("CAKAP_SHOTS_DIR")
FIX = "Kalimat ini ditambahkan widyaiswara sebagai perbaikan."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = prepare(tmp_path_factory.mktemp("authoring"))
    subprocess.run(
        [
            *(sys.executable, "-m", "app", "users", "create", "--email", LEARNER_EMAIL),
            *("--name", "Dewi Lestari, S.Kom.", "--password", LEARNER_PASSWORD),
            *("--role", "learner", "--instansi", "3206"),
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = start_server(env, port)
    yield f"http://127.0.0.1:{port}", env["CAKAP_DATABASE_URL"]
    process.terminate()
    process.wait(timeout=15)


def _two_lessons_done(database_url: str) -> int:
    """The learner enrols in version 1, takes the pre-test and finishes two lessons (through
    the services, as the learner pages would)."""
    from sqlalchemy import select

    from app.completion import service as completion
    from app.courses import service as courses
    from app.learning import service as learning
    from app.models import User
    from tests.learning.helpers import take_pretest

    engine = create_engine(database_url)
    with Session(engine) as s:
        user = s.scalar(select(User).where(User.email == LEARNER_EMAIL))
        assert user is not None
        version = courses.published_course(s, slug=SLUG)
        enrollment = learning.enrol(s, user=user, version=version)
        s.flush()
        take_pretest(s, enrollment)
        for module, lesson in version.lessons()[:2]:
            completion.complete_lesson(
                s, enrollment=enrollment, version=version, module=module, lesson=lesson
            )
        s.commit()
        total = len(version.lessons())
    engine.dispose()
    return total


def _login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("text=Saya telah membaca dan menyetujui")


def _shoot(browser: Browser, base: str, name: str, path: str) -> None:
    if not SHOTS:
        return
    for width in (360, 1280):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        _login(page, base, TRAINER[0], TRAINER_PASSWORD)
        page.goto(f"{base}{path}")
        page.wait_for_load_state("networkidle")  # the live preview has come back
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
        context.close()


def test_trainer_fixes_a_lesson_adds_a_question_and_publishes_version_2(
    server: tuple[str, str], browser: Browser
) -> None:
    base, database_url = server
    total = _two_lessons_done(database_url)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, base, TRAINER[0], TRAINER_PASSWORD)
    page.goto(f"{base}/trainer/courses/{SLUG}")
    page.click("button:has-text('Sunting kursus ini')")
    expect(page.locator("h1")).to_have_text(f"Draf: {SLUG}")
    expect(page.locator("[role=status]").first).to_contain_text("Draf dibuat dari versi terbit")
    draft_path = page.url.removeprefix(base)

    # Fix the first lesson: the live preview follows the typing, Pratinjau works too.
    page.locator("a[href*='file?path=01-'][href$='.md']").first.click()
    expect(page.locator("#body")).to_be_visible()
    lesson_path = page.url.removeprefix(base)
    body = page.locator("#body")
    body.fill(body.input_value() + f"\n\n{FIX} **Penting.**\n")
    expect(page.locator("#preview strong", has_text="Penting.")).to_be_visible()
    page.click("button:has-text('Pratinjau')")
    expect(page.locator("#preview")).to_contain_text(FIX)
    page.click("button:has-text('Simpan')")
    expect(page.locator("[role=status]").first).to_contain_text("disimpan")
    assert FIX in page.locator("#body").input_value()

    # Add a post-test question.
    page.goto(f"{base}{draft_path}/quiz?path=posttest.yaml")
    count = page.locator(".question-list > li").count()
    page.click("text=+ Tambah soal")
    page.select_option("#type", "single")
    page.fill("#text", "Siapa yang menetapkan Arsitektur SPBE Nasional?")
    page.fill("#choice-0", "Presiden melalui Peraturan Presiden")
    page.fill("#choice-1", "Setiap kepala desa")
    page.check("#correct-0")
    page.fill(
        "#explanation", "Arsitektur SPBE Nasional ditetapkan dengan Perpres Nomor 132 Tahun 2022."
    )
    page.select_option("#objective", index=1)
    page.click("button:has-text('Simpan soal')")
    expect(page.locator("[role=status]").first).to_contain_text("disimpan")
    expect(page.locator(".question-list > li")).to_have_count(count + 1)

    # The diff, then Terbitkan.
    page.goto(f"{base}{draft_path}")
    page.click("text=Lihat perbedaan dan terbitkan")
    expect(page.locator("pre.diff .add", has_text=FIX)).to_have_count(1)
    # Only her addition: the round trip through the form changed nothing else in the lesson.
    expect(page.locator("pre.diff").first.locator(".del")).to_have_count(0)
    expect(page.locator("pre.diff .add", has_text="Arsitektur SPBE Nasional")).not_to_have_count(0)
    _shoot(browser, base, "editor-draf", draft_path)
    _shoot(browser, base, "editor-pelajaran", lesson_path)
    _shoot(browser, base, "editor-terbitkan", f"{draft_path}/publish")
    _shoot(browser, base, "editor-soal", f"{draft_path}/question?path=posttest.yaml")
    page.fill("#change_note", "Menambah penegasan di Pelajaran 1.1 dan satu soal post-test.")
    page.click("button:has-text('Terbitkan')")
    expect(page.locator("[role=status]").first).to_contain_text("diterbitkan sebagai versi 2")
    expect(page.locator(".hint").first).to_contain_text("Catatan perubahan versi 2")
    context.close()

    # The learner: moved to version 2 on her visit, her two lessons still done.
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    _login(page, base, LEARNER_EMAIL, LEARNER_PASSWORD)
    page.goto(f"{base}/courses/{SLUG}")
    expect(page.locator(".meta")).to_contain_text("Versi 2")
    expect(page.locator("section[aria-labelledby=ikut-judul]")).to_contain_text(
        f"2 dari {total} pelajaran selesai"
    )
    page.locator(".lessons a").first.click()
    expect(page.locator("article.lesson")).to_contain_text(FIX)
    context.close()
