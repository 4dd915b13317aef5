"""Every router of the application, in one list (the authorization test walks them)."""

from __future__ import annotations

from fastapi import FastAPI

from app.accounts import api as accounts_api
from app.accounts import routes as accounts_routes
from app.admin import routes as admin_routes
from app.catalog import api as catalog_api
from app.catalog import routes as catalog_routes
from app.dashboard import routes as dashboard_routes
from app.health import routes as health_routes
from app.people import api as people_api
from app.people import routes as people_routes

API_PREFIX = "/api/v1"


def include_all(app: FastAPI) -> None:
    app.include_router(health_routes.router)
    app.include_router(accounts_routes.router)
    app.include_router(dashboard_routes.router)
    app.include_router(catalog_routes.router)
    app.include_router(people_routes.router)
    app.include_router(admin_routes.router)
    app.include_router(accounts_api.router, prefix=API_PREFIX)
    app.include_router(catalog_api.router, prefix=API_PREFIX)
    app.include_router(people_api.router, prefix=API_PREFIX)
