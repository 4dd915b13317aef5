"""Walks every registered route: anonymous callers are refused except on an explicit public
list, and a learner is refused on trainer, HR and admin routes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.routers import registered_routes
from tests.conftest import form_token, login
from tests.factories import World

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/privacy"),
    ("GET", "/password/forgot"),
    ("POST", "/password/forgot"),
    ("GET", "/password/forgot/sent"),
    ("GET", "/password/reset/{token}"),
    ("POST", "/password/reset/{token}"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/verify/{code}"),
    ("GET", "/verify"),
    ("POST", "/verify"),
    ("GET", "/api/v1/verify/{code}"),
}
STAFF_PREFIXES = (
    "/hr",
    "/admin",
    "/trainer",
    "/api/v1/people",
    "/api/v1/reports",
    "/api/v1/assignments",
)
# Staff-only API routes under a path learners also use (/api/v1/courses/…).
STAFF_PATHS = {
    "/api/v1/courses/{slug}/gain",
    "/api/v1/courses/{slug}/evaluations/summary",
    "/api/v1/courses/{slug}/item-analysis",
}


def _routes(app: object) -> list[tuple[str, str]]:
    return registered_routes()


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_refuses_anonymous_callers_except_the_public_list(
    app: object, client: TestClient, world: World
) -> None:
    routes = _routes(app)
    assert len(routes) > 20
    assert set(routes) >= PUBLIC, "the public list names routes that do not exist"
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        client.cookies.clear()
        client.get("/login")  # an anonymous visitor with a CSRF cookie, i.e. a valid form
        response = client.request(method, _concrete(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code in (303, 403), (method, path, response.status_code)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login"), (method, path)


def test_a_learner_is_refused_on_trainer_hr_and_admin_routes(
    app: object, client: TestClient, world: World
) -> None:
    login(client, world.learner.nip or "")
    token = form_token(client, "/")
    bearer = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": "Rahasia-Uji-123"}
    ).json()["access_token"]
    checked = 0
    for method, path in _routes(app):
        if not path.startswith(STAFF_PREFIXES) and path not in STAFF_PATHS:
            continue
        checked += 1
        if path.startswith("/api/"):
            response = client.request(
                method,
                _concrete(path),
                headers={"Authorization": f"Bearer {bearer}"},
                files={"file": ("a.csv", b"nip,nama\n")} if method == "POST" else None,
            )
        else:
            response = client.request(
                method,
                _concrete(path),
                data={"csrf_token": token} if method == "POST" else None,
                follow_redirects=False,
            )
        assert response.status_code == 403, (method, path, response.status_code)
    assert checked >= 10


def test_every_html_form_route_requires_a_csrf_token(
    app: object, client: TestClient, world: World
) -> None:
    login(client, world.admin.email or "")
    for method, path in _routes(app):
        if method != "POST" or path.startswith("/api/"):
            continue
        response = client.post(_concrete(path), data={}, follow_redirects=False)
        assert response.status_code == 403, (path, response.status_code)


def test_the_route_list_covers_every_api_path_the_app_serves(client: TestClient) -> None:
    served = {
        ("GET" if "get" in ops else next(iter(ops)).upper(), path)
        for path, ops in client.get("/api/v1/openapi.json").json()["paths"].items()
    }
    listed = set(registered_routes())
    assert {p for _, p in served} <= {p for _, p in listed}


def test_privacy_notice_is_readable_without_logging_in(client: TestClient) -> None:
    page = client.get("/privacy")
    assert page.status_code == 200
    assert "Undang-Undang Nomor 27 Tahun 2022" in page.text
    assert "Saya telah membaca" not in page.text
