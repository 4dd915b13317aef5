"""Every router of the application, in one list (the authorization test walks them)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.accounts import api as accounts_api
from app.accounts import routes as accounts_routes
from app.admin import placement as admin_placement
from app.admin import routes as admin_routes
from app.admin import teaching as admin_teaching
from app.analytics import api as analytics_api
from app.analytics import routes as analytics_routes
from app.assessments import api as assessments_api
from app.assessments import routes as assessments_routes
from app.assignments import api as assignments_api
from app.assignments import routes as assignments_routes
from app.authoring import api as authoring_api
from app.authoring import draft_routes
from app.authoring import routes as authoring_routes
from app.catalog import api as catalog_api
from app.catalog import routes as catalog_routes
from app.certificates import api as certificates_api
from app.certificates import routes as certificates_routes
from app.cohorts import routes as cohorts_routes
from app.completion import api as completion_api
from app.completion import routes as completion_routes
from app.dashboard import api as dashboard_api
from app.dashboard import routes as dashboard_routes
from app.evaluations import api as evaluations_api
from app.evaluations import routes as evaluations_routes
from app.health import routes as health_routes
from app.jobs import api as jobs_api
from app.jobs import routes as jobs_routes
from app.learning import api as learning_api
from app.learning import routes as learning_routes
from app.password_reset import routes as password_reset_routes
from app.people import api as people_api
from app.people import routes as people_routes
from app.privacy import api as privacy_api
from app.privacy import routes as privacy_routes
from app.reports import api as reports_api
from app.reports import routes as reports_routes
from app.staff import api as staff_api
from app.staff import routes as staff_routes
from app.trainer import api as trainer_api
from app.trainer import routes as trainer_routes
from app.training import routes as training_routes

API_PREFIX = "/api/v1"

# (router, prefix): the one list of everything the application serves.
ROUTERS: list[tuple[APIRouter, str]] = [
    (health_routes.router, ""),
    # Routes are matched in this order (each router costs a match attempt): lesson pages and,
    # in an exam, answer saves are the most requested.
    (learning_routes.router, ""),
    (assessments_api.router, API_PREFIX),
    (completion_routes.router, ""),
    (accounts_routes.router, ""),
    (dashboard_routes.router, ""),
    (catalog_routes.router, ""),
    (assessments_routes.router, ""),
    (evaluations_routes.router, ""),
    (people_routes.router, ""),
    (staff_routes.router, ""),
    (training_routes.router, ""),
    (reports_routes.router, ""),
    (certificates_routes.router, ""),
    (jobs_routes.router, ""),
    (privacy_routes.router, ""),
    (admin_routes.router, ""),
    (password_reset_routes.router, ""),
    (analytics_routes.router, ""),
    (analytics_routes.trainer_router, ""),
    (admin_placement.router, ""),
    (admin_teaching.router, ""),
    (assignments_routes.router, ""),
    # Before the trainer pages: /trainer/courses/import is not a course slug.
    (authoring_routes.router, ""),
    (draft_routes.router, ""),
    (cohorts_routes.router, ""),
    (trainer_routes.router, ""),
    (accounts_api.router, API_PREFIX),
    (dashboard_api.router, API_PREFIX),
    (catalog_api.router, API_PREFIX),
    (learning_api.router, API_PREFIX),
    (completion_api.router, API_PREFIX),
    (evaluations_api.router, API_PREFIX),
    (certificates_api.router, API_PREFIX),
    (people_api.router, API_PREFIX),
    (staff_api.router, API_PREFIX),
    (jobs_api.router, API_PREFIX),
    (privacy_api.router, API_PREFIX),
    (analytics_api.router, API_PREFIX),
    (reports_api.router, API_PREFIX),
    (assignments_api.router, API_PREFIX),
    (trainer_api.router, API_PREFIX),
    (authoring_api.router, API_PREFIX),
]


def include_all(app: FastAPI) -> None:
    for router, prefix in ROUTERS:
        app.include_router(router, prefix=prefix)


def registered_routes() -> list[tuple[str, str]]:
    """(method, path) of every route, for the authorization tests."""
    out: list[tuple[str, str]] = [("GET", f"{API_PREFIX}/openapi.json")]
    for router, prefix in ROUTERS:
        for route in router.routes:
            methods = getattr(route, "methods", None) or set()
            for method in sorted(methods - {"HEAD", "OPTIONS"}):
                out.append((method, prefix + route.path))  # type: ignore[attr-defined]
    return out
