"""Take the README/docs screenshots of the main pages at phone and desktop width.

Run against a server with the demo data: `python -m tests.e2e.screenshots [BASE_URL]`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.browser import launch

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {"360": 360, "1280": 1280}


def login(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    if page.url.endswith("/privacy"):
        page.click("form[action='/privacy'] button")


def main(base: str = "http://127.0.0.1:8000") -> None:
    from app.demo import ADMIN, ADMIN_PASSWORD, HR, HR_PASSWORD, LEARNER, LEARNER_PASSWORD

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        for label, width in WIDTHS.items():
            ctx = browser.new_context(viewport={"width": width, "height": 800})
            page = ctx.new_page()
            page.goto(f"{base}/login")
            page.screenshot(path=OUT / f"login-{label}.png", full_page=True)
            login(page, base, LEARNER[0], LEARNER_PASSWORD)
            page.goto(f"{base}/")
            page.screenshot(path=OUT / f"dashboard-{label}.png", full_page=True)
            page.goto(f"{base}/courses")
            page.screenshot(path=OUT / f"catalogue-{label}.png", full_page=True)
            page.goto(f"{base}/courses/literasi-digital")
            page.screenshot(path=OUT / f"course-{label}.png", full_page=True)
            if page.locator("form[action$='/enrol'] button").count():
                page.click("form[action$='/enrol'] button")
            page.screenshot(path=OUT / f"course-enrolled-{label}.png", full_page=True)
            page.goto(f"{base}/courses/literasi-digital/quiz/pretest")
            if page.locator("text=Lanjutkan mengerjakan").count():
                page.click("text=Lanjutkan mengerjakan")
            elif page.locator("text=Mulai pre-test").count():
                page.click("text=Mulai pre-test")
            if page.locator("form.question:not([hidden]) input[name=response]").count():
                page.locator("form.question:not([hidden]) input[name=response]").first.check()
                page.wait_for_timeout(500)
                page.screenshot(path=OUT / f"quiz-{label}.png", full_page=True)
                page.click("text=Periksa dan kumpulkan")
                page.click("text=Kumpulkan jawaban")
                page.screenshot(path=OUT / f"quiz-result-{label}.png", full_page=True)
            page.goto(f"{base}/courses/literasi-digital/resume")
            page.screenshot(path=OUT / f"lesson-{label}.png", full_page=True)
            page.goto(f"{base}/training/external")
            page.screenshot(path=OUT / f"external-training-{label}.png", full_page=True)
            page.goto(f"{base}/account/data")
            page.screenshot(path=OUT / f"personal-data-{label}.png", full_page=True)
            ctx.close()

            ctx = browser.new_context(viewport={"width": width, "height": 800})
            page = ctx.new_page()
            login(page, base, HR[0], HR_PASSWORD)
            page.goto(f"{base}/hr/import")
            page.screenshot(path=OUT / f"hr-import-{label}.png", full_page=True)
            sample = Path(__file__).resolve().parents[1] / "data" / "people-sample.csv"
            if sample.exists():
                page.set_input_files("#file", str(sample))
                page.click("form[action='/hr/import'] button[type=submit]")
                page.screenshot(path=OUT / f"hr-import-preview-{label}.png", full_page=True)
            ctx.close()

            ctx = browser.new_context(viewport={"width": width, "height": 800})
            page = ctx.new_page()
            login(page, base, HR[0], HR_PASSWORD)
            hr_pages(page, base, label)
            ctx.close()

            ctx = browser.new_context(viewport={"width": width, "height": 800})
            page = ctx.new_page()
            login(page, base, ADMIN[0], ADMIN_PASSWORD)
            for name, path in (
                ("hr-verification", "/hr/external"),
                ("admin-users", "/admin/users"),
                ("admin-units", "/admin/units"),
                ("admin-audit", "/admin/audit"),
                ("admin-certificates", "/admin/certificates"),
                ("admin-settings", "/admin/settings"),
                ("not-found", "/courses/tidak-ada"),
            ):
                page.goto(f"{base}{path}")
                page.screenshot(path=OUT / f"{name}-{label}.png", full_page=True)
            page.goto(f"{base}/admin/certificates")
            verify = page.locator("a[href^='/verify/']").first.get_attribute("href")
            ctx.close()
            if verify:  # the public verification page, as an anonymous visitor sees it
                ctx = browser.new_context(viewport={"width": width, "height": 800})
                page = ctx.new_page()
                page.goto(f"{base}{verify}")
                page.screenshot(path=OUT / f"verify-{label}.png", full_page=True)
                page.goto(f"{base}/verify")
                page.screenshot(path=OUT / f"verify-upload-{label}.png", full_page=True)
                ctx.close()
        shoot_emails(browser, base=base, out=OUT)
        browser.close()


HR_PAGES = (
    ("hr-people", "/hr/people"),
    ("hr-reports-jp", "/hr/reports/jp"),
    ("hr-reports-jp-unit", "/hr/reports/jp?unit=DISKOMINFO"),
    ("hr-reports-completion", "/hr/reports/completion"),
    ("hr-reports-completion-course", "/hr/reports/completion?course=literasi-digital#rincian"),
    ("hr-reports-gain", "/hr/reports/gain"),
    ("hr-reports-evaluations", "/hr/reports/evaluations"),
    ("hr-reports-siasn", "/hr/reports/siasn"),
    ("penugasan-daftar", "/hr/assignments"),
    ("penugasan-baru", "/hr/assignments/new"),
)


def hr_pages(page: Page, base: str, label: str) -> None:
    """The HR officer's pages: people, a person, every report, and the assignments."""
    for name, path in HR_PAGES:
        page.goto(f"{base}{path}")
        page.screenshot(path=OUT / f"{name}-{label}.png", full_page=True)
    for name, listing, link in (
        ("hr-person", "/hr/people", "a[href^='/hr/people/']"),
        ("penugasan-rincian", "/hr/assignments", "a[href^='/hr/assignments/']:not([href$='new'])"),
    ):
        page.goto(f"{base}{listing}")
        href = page.locator(link).first.get_attribute("href")
        if href:
            page.goto(f"{base}{href}")
            page.screenshot(path=OUT / f"{name}-{label}.png", full_page=True)


def shoot_emails(browser: Browser, *, base: str, out: Path) -> None:
    """Assignment e-mails as a mail client renders their HTML part, at both widths."""
    from app.config import get_settings
    from app.core import clock
    from app.core.templating import tanggal
    from app.mail import service as mail

    settings = get_settings()
    saved, settings.base_url = settings.base_url, base  # links as the server would write them
    context = {
        "name": "Yuyun Yuniarti, A.Md.",
        "course_title": "Literasi Digital bagi ASN",
        "jp": 6,
        "slug": "literasi-digital",
        "due_on": tanggal(clock.local_today()),
        "time_zone": "WIB",
        "instansi": "Pemerintah Kabupaten Tasikmalaya",
    }
    try:
        for template in ("assignment_assigned", "assignment_due_tomorrow"):
            _, _, html = mail.render(template, context)
            for label, width in WIDTHS.items():
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.set_content(html)
                page.screenshot(path=out / f"email-{template}-{label}.png", full_page=True)
                page.close()
    finally:
        settings.base_url = saved


if __name__ == "__main__":
    main(*sys.argv[1:2])
