"""WCAG 2.1 AA: no serious or critical axe-core violations on the pages this release has,
at phone width, for the roles that see them."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from app.demo import ADMIN, ADMIN_PASSWORD

pytestmark = pytest.mark.e2e

PAGES = [
    "/",
    "/courses",
    "/courses/smart-governance",
    "/account",
    "/account/password",
    "/privacy",
    "/hr/import",
    "/hr/units",
    "/hr/people",
    "/hr/people?include_inactive=1&jp=not_met",
    "/hr/people/3",
    "/admin/users",
    "/admin/users/new",
    "/admin/users/1",
    "/admin/units",
    "/admin/audit",
    "/admin/certificates",
    "/certificates",
    "/verify",
    "/training/external",
    "/hr/external",
    "/hr/reports/gain?course=smart-governance",
    "/hr/reports/evaluations?course=smart-governance",
    "/hr/reports/jp",
    "/hr/reports/jp?instansi=3206",
    "/hr/reports/completion",
    "/hr/reports/completion?instansi=3206&course=literasi-digital",
    "/hr/reports/siasn",
    "/courses/tidak-ada",
    "/password/forgot",
    "/password/reset/1.1.tautan-yang-tidak-berlaku",
]


def _serious(page: Page) -> list[str]:
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_pages_have_no_serious_axe_violations(
    live_server: str, browser: Browser, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    found = {"/login": _serious(page)}
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN_PASSWORD)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("form[action='/privacy'] button")
    for path in PAGES:
        page.goto(f"{live_server}{path}")
        found[path] = _serious(page)
    context.close()
    assert {p: v for p, v in found.items() if v} == {}


def test_learner_pages_have_no_serious_axe_violations(live_server: str, browser: Browser) -> None:
    from tests.e2e.conftest import A11Y_PASSWORD, A11Y_USER

    context = browser.new_context(viewport={"width": 360, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#username", A11Y_USER)
    page.fill("#password", A11Y_PASSWORD)
    page.click("button.primary")
    if page.url.endswith("/privacy"):
        page.click("form[action='/privacy'] button")
    found: dict[str, list[str]] = {}
    page.goto(f"{live_server}/courses/literasi-digital")
    if page.locator("form[action$='/enrol'] button").count():
        page.click("form[action$='/enrol'] button")
    found["course (enrolled)"] = _serious(page)
    page.goto(
        f"{live_server}/courses/literasi-digital/"
        "lessons/pengantar-literasi-digital/literasi-digital-dan-empat-pilar"
    )
    found["lesson before the pre-test"] = _serious(page)
    page.goto(f"{live_server}/courses/literasi-digital/quiz/pretest")
    found["quiz start"] = _serious(page)
    if page.locator("text=Mulai pre-test").count():
        page.click("text=Mulai pre-test")
    elif page.locator("text=Lanjutkan mengerjakan").count():
        page.click("text=Lanjutkan mengerjakan")
    found["question"] = _serious(page)
    if page.locator("text=Periksa dan kumpulkan").count():
        page.click("text=Periksa dan kumpulkan")
        found["review"] = _serious(page)
        page.click("text=Kumpulkan jawaban")
    found["result"] = _serious(page)
    page.goto(f"{live_server}/courses/literasi-digital/resume")
    found["lesson"] = _serious(page)
    page.goto(f"{live_server}/courses/literasi-digital/evaluations/pengajar")
    found["evaluation"] = _serious(page)
    context.close()
    assert {p: v for p, v in found.items() if v} == {}
