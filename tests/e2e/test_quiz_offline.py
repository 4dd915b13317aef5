"""The quiz when the signal drops (PRODUCT.md §1, Rina): with JavaScript on, "next" and the
question map keep working from what is on the page, answers wait in the queue, checking and
handing in waits for it, and the server has every answer once the network is back."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import OFFLINE_PASSWORD, OFFLINE_USER
from tests.e2e.test_crash import call

pytestmark = pytest.mark.e2e

SLUG = "keputusan-berbasis-data"
# Set CAKAP_SCREENSHOTS=/some/dir to keep phone and desktop pictures of the pages on the way.
SHOTS = os.environ.get("CAKAP_SCREENSHOTS")


def _shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for label, width in (("360", 360), ("1280", 1280)):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})


def _answer_visible(page: Page) -> str:
    """Answer the question on show; its key."""
    form = page.locator("form.question:not([hidden])")
    key = form.locator("input[name=question]").get_attribute("value")
    assert key
    field = form.locator("input[name=response]").first
    if field.get_attribute("type") == "text":
        field.fill("jawaban saya")
        field.press("Tab")
    else:
        field.check()
    return key


def test_offline_next_and_map_work_and_the_queue_syncs_when_the_network_returns(
    live_server: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", OFFLINE_USER)
    page.fill("#password", OFFLINE_PASSWORD)
    page.click("button.primary")
    page.click("text=Saya telah membaca dan menyetujui")
    page.goto(f"{live_server}/courses/{SLUG}")
    page.click("text=Daftar kursus")
    page.click("text=Lanjutkan")  # the pre-test comes first
    page.click("text=Mulai pre-test")
    heading = page.locator("#question-heading")
    expect(heading).to_contain_text("soal 1 dari ")
    total = int(heading.inner_text().rsplit(" ", 1)[1])
    visible = page.locator("form.question:not([hidden])")

    first = _answer_visible(page)
    expect(visible.locator(".save-state")).to_have_text("Tersimpan ✓")

    context.set_offline(True)
    visible.get_by_text("Simpan & berikutnya ›").click()
    expect(heading).to_contain_text(f"soal 2 dari {total}")
    expect(heading).to_be_focused()
    assert page.url.endswith("?q=2")
    assert page.locator("form.question:not([hidden])").count() == 1
    page.click(".qmap a[data-index='3']")
    expect(heading).to_contain_text(f"soal 3 dari {total}")
    assert page.url.endswith("?q=3")
    page.click(".qmap a[data-index='2']")
    expect(heading).to_contain_text(f"soal 2 dari {total}")
    expect(page.locator(".qmap a[data-index='2']")).to_have_attribute("aria-current", "step")

    second = _answer_visible(page)
    expect(visible.locator(".save-state")).to_contain_text("Belum terkirim")
    expect(page.locator(".qmap a[data-index='2']")).to_have_class(re.compile(r"\banswered\b"))
    expect(page.locator(".answered-count")).to_have_text("2")
    expect(page.locator(".queue-state")).to_contain_text("1 jawaban belum terkirim")
    _shoot(page, "attempt-offline")

    page.click("text=Periksa dan kumpulkan")  # not while an answer waits
    expect(page.locator(".queue-state")).to_contain_text("belum dapat diperiksa")
    assert "/review" not in page.url

    context.set_offline(False)
    # Chromium may fire `online` itself, and the page be on its way to the review already.
    with contextlib.suppress(PlaywrightError):
        page.evaluate("window.dispatchEvent(new Event('online'))")
    # The queue drains, then the review page opens by itself, listing what the server has.
    expect(page.locator("h1")).to_have_text("Periksa sebelum mengumpulkan")
    expect(page.locator(".alert")).to_contain_text(f"{total - 2} soal belum dijawab")

    token = call(
        live_server,
        "POST",
        "/api/v1/auth/token",
        body={"username": OFFLINE_USER, "password": OFFLINE_PASSWORD},
    )["access_token"]
    outline = call(live_server, "GET", f"/api/v1/courses/{SLUG}", token)
    pretest = next(q["id"] for q in outline["quizzes"] if q["kind"] == "pretest")
    attempt = call(live_server, "POST", f"/api/v1/quizzes/{pretest}/attempts", token)
    assert set(attempt["answers"]) == {first, second}

    page.click("text=Kumpulkan jawaban")
    expect(page.locator("h1")).to_have_text("Hasil pre-test")
    expect(page.locator(".feedback-withheld")).to_contain_text("tidak ditampilkan")
    assert page.locator(".fb-verdict").count() == 0
    _shoot(page, "result-withheld")
    context.close()


def test_review_page_holds_back_hand_in_while_answers_are_queued(
    live_server: str, browser: Browser
) -> None:
    """An answer left in the queue by an earlier page (a closed tab): the review page sends it
    first, and refuses to hand in while offline."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", OFFLINE_USER)
    page.fill("#password", OFFLINE_PASSWORD)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("text=Saya telah membaca dan menyetujui")
    page.goto(f"{live_server}/courses/{SLUG}/quiz/module?module=satu-data-dan-statistik")
    page.click("text=Mulai kuis modul")
    review = page.url.split("?")[0] + "/review"
    page.goto(review)
    context.set_offline(True)
    page.click("text=Kumpulkan jawaban")
    expect(page.locator(".queue-state")).to_contain_text("belum dapat dikumpulkan")
    assert page.url == review
    context.close()
