"""Journey 1 in a real browser: a demo learner completes every shipped course, from login to
*Selesai*, with a reload in the middle of the post-test and a dropped connection, and the
dashboard shows the JP added to the year's total."""

from __future__ import annotations

import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.demo import LEARNER, LEARNER_PASSWORD
from app.models import Question
from tests.e2e.conftest import free_port, prepare, start_server, start_worker

pytestmark = pytest.mark.e2e

COURSES = [("smart-governance", 6), ("literasi-digital", 7), ("keputusan-berbasis-data", 7)]
# The demo assigns literasi-digital to her unit (app.demo.DEMO_ASSIGNMENTS): her first visit
# enrols her, with no button to press.
ASSIGNED = {"literasi-digital"}


@pytest.fixture(scope="module")
def journey_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("journey")
    env = prepare(data)
    port = free_port()
    server = start_server(env, port)
    worker = start_worker(env, port)
    engine = create_engine(env["CAKAP_DATABASE_URL"])
    with Session(engine) as s:
        answers = {q.key: q for q in s.scalars(select(Question))}
        s.expunge_all()
    yield f"http://127.0.0.1:{port}", answers
    engine.dispose()
    for process in (server, worker):
        process.terminate()
    for process in (server, worker):
        process.wait(timeout=15)


def answer_current(page: Page, questions: dict[str, Question], *, right: bool = True) -> None:
    form = page.locator("form[data-autosave]:not([hidden])")
    key = form.locator("input[name=question]").get_attribute("value")
    assert key is not None
    q = questions[key]
    if q.type == "single":
        ids = [str(c["id"]) for c in q.choices if c["correct"] == right]
        form.locator(f"input[value='{ids[0]}']").check()
    elif q.type == "multiple":
        picked = (
            [c for c in q.choices if c["correct"]]
            if right
            else [c for c in q.choices if not c["correct"]][:1]
        )
        for c in picked:
            form.locator(f"input[value='{c['id']}']").check()
    elif q.type == "truefalse":
        value = bool(q.answer) if right else not bool(q.answer)
        form.locator(f"input[value='{'true' if value else 'false'}']").check()
    else:
        form.locator("input[type=text]").fill(q.answer[0] if right else "tidak tahu")
        form.locator("input[type=text]").press("Tab")


def take_quiz(
    page: Page, questions: dict[str, Question], *, right: bool, interrupt: bool = False
) -> None:
    total = int(page.locator("h1").inner_text().split(" dari ")[1])
    for n in range(1, total + 1):
        expect(page.locator("h1")).to_contain_text(f"soal {n} dari {total}")
        offline = interrupt and n == 6
        if offline:
            page.context.set_offline(True)  # the signal drops before she answers
        answer_current(page, questions, right=right)
        if offline:
            expect(page.locator("form.question:not([hidden]) .save-state")).to_contain_text(
                "Belum terkirim"
            )
            page.context.set_offline(False)
            page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(page.locator("form.question:not([hidden]) .save-state")).to_have_text("Tersimpan ✓")
        if interrupt and n == 4:
            # a reload in the middle of the post-test shows the same paper with the answer kept
            page.reload()
            expect(page.locator("h1")).to_contain_text(f"soal {n} dari {total}")
            expect(page.locator("form.question:not([hidden]) .save-state")).to_have_text(
                "Tersimpan"
            )
        if n < total:
            page.locator("form.question:not([hidden])").get_by_text("Simpan & berikutnya ›").click()
        else:
            page.locator("form.question:not([hidden])").get_by_text("Simpan & periksa").click()
    expect(page.locator("h1")).to_have_text("Periksa sebelum mengumpulkan")
    page.click("text=Kumpulkan jawaban")


def check_certificate(page: Page, base: str, slug: str) -> None:
    """Fill the evaluations, then the certificate is there: download it, render it to PNG for
    docs/screenshots/, scan its QR code and open the verification page it points to."""
    page.goto(f"{base}/courses/{slug}")
    for form in ("pengajar", "penyelenggaraan"):
        page.goto(f"{base}/courses/{slug}/evaluations/{form}")
        for group in page.locator("fieldset.likert").all():
            group.locator("input[value='5']").check()
        page.fill("#comment", "Materi jelas dan contohnya dekat dengan pekerjaan kami.")
        page.click("text=Kirim evaluasi")
        expect(page.locator("[role=status]").first).to_contain_text("Terima kasih")
    page.click("nav >> text=Sertifikat")
    expect(page.locator("h1")).to_have_text("Sertifikat saya")
    # Rendered and signed by the worker after the completion commits: the page says so until
    # the file is there.
    deadline = time.monotonic() + 120
    while not page.locator("text=Unduh PDF").count():
        expect(page.locator(".card").first).to_contain_text("sedang disiapkan")
        assert time.monotonic() < deadline, "the worker did not render the certificate"
        time.sleep(0.5)
        page.reload()
    link = page.locator(".card input[readonly]").first.input_value()
    pdf = page.request.get(base + page.locator("text=Unduh PDF").first.get_attribute("href")).body()  # type: ignore[operator]
    assert pdf.startswith(b"%PDF-")
    out = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    pdf_path = out / "certificate-from-journey.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "110",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_path),
            str(out / "certificate-from-journey"),
        ],
        check=True,
    )
    pdf_path.unlink()
    scanned = subprocess.run(
        ["zbarimg", "--raw", "-q", str(out / "certificate-from-journey.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert scanned == link and scanned.startswith(f"{base}/verify/")
    page.goto(base + urllib.parse.urlsplit(scanned).path)
    expect(page.locator(".verdict")).to_contain_text("sah dan berlaku")


def test_demo_learner_completes_every_course(journey_server: Any, browser: Browser) -> None:
    base, questions = journey_server
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", LEARNER[0])
    page.fill("#password", LEARNER_PASSWORD)
    page.click("button.primary")
    page.click("text=Saya telah membaca dan menyetujui")

    earned = 0
    for slug, jp in COURSES:
        page.goto(f"{base}/courses/{slug}")
        if slug in ASSIGNED:
            expect(page).to_have_url(f"{base}/courses/{slug}?ditugaskan=1")
            expect(page.locator("#ikut-judul")).to_have_text("Kemajuan Anda")
            expect(page.locator("[role=status]").first).to_contain_text("pelatihan wajib")
        else:
            page.click("text=Daftar kursus")
            expect(page.locator("[role=status]").first).to_contain_text("Anda terdaftar")

        page.click(".outline a[href$='/quiz/pretest']")
        page.click("text=Mulai pre-test")
        take_quiz(page, questions, right=False)
        expect(page.locator(".score strong")).to_have_text("0")

        page.goto(f"{base}/courses/{slug}")
        page.click("text=Lanjutkan")
        while True:
            expect(page.locator("article.lesson h1")).to_be_visible()
            button = page.locator("form[action$='/complete'] button")
            label = button.inner_text()
            button.click()
            if "lanjut" not in label:
                break
        expect(page).to_have_url(f"{base}/courses/{slug}")

        page.click(".outline a[href$='/quiz/posttest']")
        page.click("text=Mulai post-test")
        take_quiz(page, questions, right=True, interrupt=True)
        expect(page.locator(".result")).to_contain_text("lulus")
        expect(page.locator(".result")).to_contain_text(f"{jp} JP telah ditambahkan")
        expect(page.locator(".feedback li").first).to_contain_text("Benar")
        earned += jp

        page.goto(f"{base}/")
        expect(page.locator(".jp-figure strong")).to_have_text(str(earned))
        if slug == COURSES[0][0]:
            check_certificate(page, base, slug)

    expect(page.locator(".jp-figure")).to_contain_text("target tercapai")
    expect(page.locator(".entries").first).to_contain_text("Smart Governance dan Peran ASN")
    page.screenshot(
        path=str(
            Path(__file__).resolve().parents[2]
            / "docs"
            / "screenshots"
            / "dashboard-after-journey-360.png"
        ),
        full_page=True,
    )
    context.close()
