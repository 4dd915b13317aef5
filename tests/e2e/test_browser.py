"""Login → catalogue → course page in headless Chromium, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from app.demo import HR, HR_PASSWORD, LEARNER_PASSWORD, TRAINER, TRAINER_PASSWORD

pytestmark = pytest.mark.e2e


# Each case logs in as a different demo person: the privacy notice is shown once per person.
@pytest.mark.parametrize(
    ("javascript", "username", "password", "name"),
    [
        (True, "1990 0314 2015 03 2 001", LEARNER_PASSWORD, "Rina Marlina, S.E."),
        (False, TRAINER[0], TRAINER_PASSWORD, "Dr. Ade Setiadi, S.T., M.Si."),
    ],
    ids=["js-on", "js-off"],
)
def test_learner_logs_in_finds_a_course_and_opens_it(
    live_server: str, browser: Browser, javascript: bool, username: str, password: str, name: str
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.goto(f"{live_server}/courses")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fcourses")

    page.fill("#username", username)  # Rina types her NIP with spaces, as people do
    page.fill("#password", password)
    page.click("text=Masuk >> nth=-1")
    expect(page).to_have_url(f"{live_server}/privacy")
    page.click("text=Saya telah membaca dan menyetujui")
    expect(page.locator("h1")).to_have_text(f"Selamat datang, {name}")
    expect(page.locator(".jp-figure")).to_contain_text("dari 20 JP")

    page.click("nav >> text=Katalog")
    expect(page.locator(".course-card")).to_have_count(3)
    page.fill("#q", "keputusan")
    page.click("text=Terapkan")
    expect(page.locator(".course-card")).to_have_count(1)
    page.click("text=Pengambilan Keputusan Berbasis Data")
    expect(page.locator("h1")).to_have_text("Pengambilan Keputusan Berbasis Data")
    expect(page.locator(".outline")).to_contain_text("Pre-test")
    expect(page.locator(".outline")).to_contain_text("Post-test")
    if javascript:  # readable at 360 px: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.click("text=Keluar")
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/courses")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fcourses")
    context.close()


def test_wrong_password_shows_a_message_and_keeps_the_username(
    live_server: str, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", HR[0])
    page.fill("#password", "bukan-sandinya-1")
    page.click("button.primary")
    expect(page.locator("[role=alert]")).to_contain_text("kata sandi salah")
    expect(page.locator("#username")).to_have_value(HR[0])
    page.fill("#password", HR_PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(f"{live_server}/privacy")
    page.close()


def test_lesson_and_quiz_pages_work_with_javascript_off(live_server: str, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", HR[0])  # the HR officer is a learner too
    page.fill("#password", HR_PASSWORD)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("text=Saya telah membaca dan menyetujui")
    page.goto(f"{live_server}/courses/smart-governance")
    page.click("text=Daftar kursus")
    page.click("text=Lanjutkan")  # the pre-test comes first
    expect(page).to_have_url(f"{live_server}/courses/smart-governance/quiz/pretest")
    page.click("text=Mulai pre-test")
    expect(page.locator("h1")).to_contain_text("soal 1 dari ")
    # K questions per objective measured: the size follows the course's objectives
    total = int(page.locator("h1").inner_text().rsplit(" ", 1)[1])
    assert total >= 10
    first_input = page.locator("form.question:not([hidden]) input[name=response]").first
    if first_input.get_attribute("type") == "text":
        first_input.fill("jawaban saya")
    else:
        first_input.check()
    page.locator("form.question:not([hidden])").get_by_text("Simpan & berikutnya ›").click()
    expect(page.locator("h1")).to_contain_text(f"soal 2 dari {total}")
    assert page.locator("form.question:not([hidden])").count() == 1, "one question at a time"
    expect(page.locator("[role=status]").first).to_contain_text("Jawaban tersimpan")
    page.click(".qmap a[href='?q=1']")
    expect(page.locator("h1")).to_contain_text(f"soal 1 dari {total}")
    shown = page.locator(
        "form.question input[name=response]:checked, form.question input[value='jawaban saya']"
    )
    assert shown.count() == 1, "the saved answer is shown"
    page.click("text=Periksa dan kumpulkan")
    expect(page.locator(".alert")).to_contain_text(f"{total - 1} soal belum dijawab")
    page.click("text=Kumpulkan jawaban")
    expect(page.locator("h1")).to_have_text("Hasil pre-test")

    page.goto(f"{live_server}/courses/smart-governance")
    page.click("text=Lanjutkan")
    first = page.url
    expect(page.locator("article.lesson h1")).to_be_visible()
    page.click("text=Tandai selesai dan lanjut")
    assert page.url != first
    page.goto(first)
    expect(page.locator(".lesson-actions")).to_contain_text("sudah Anda tandai selesai")
    context.close()
