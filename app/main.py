"""create_app(): the FastAPI application."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import ROOT, Settings, get_settings
from app.core.client import ClientAddressMiddleware
from app.core.compression import FastGZipMiddleware
from app.core.db import Database
from app.core.errors import AppError, RedirectRequired
from app.core.middleware import BodyTooLarge, SecurityMiddleware
from app.core.templating import render

log = logging.getLogger("cakap")

API_PREFIX = "/api/v1"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    template = {403: "errors/403.html", 404: "errors/404.html"}.get(status, "errors/error.html")
    # The request's session is closed by now: the frame uses the viewer snapshot only.
    return render(
        request,
        template,
        {"message": message, "status": status, "current_user": None},
        status_code=status,
    )


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    if problem := settings.startup_problem():
        raise RuntimeError(problem)

    own_database = database is None
    db = database or Database(settings.effective_database_url, pool_size=settings.db_pool_size)
    if db.gate_size >= settings.threads:
        raise ValueError(
            "CAKAP_DB_POOL_SIZE must be smaller than CAKAP_THREADS: a request holding a "
            "connection must always find a worker thread."
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Sync routes and dependencies run in AnyIO's thread pool; size it explicitly.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads
        # The event loop shares the GIL with the worker threads; by default a waiting thread
        # gets it after 5 ms, so with a dozen busy threads the loop (which answers /healthz and
        # reads every request) waits tens of milliseconds per step. 1 ms keeps it responsive.
        sys.setswitchinterval(0.001)
        yield
        if own_database:
            db.dispose()

    app = FastAPI(
        title="Cakap API",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    app.state.db = db

    # Gzip through ISA-L (app/core/compression.py): a fifth of zlib's time for a page.
    app.add_middleware(FastGZipMiddleware, minimum_size=500)
    app.add_middleware(
        SecurityMiddleware,
        secure_cookies=settings.secure_cookies,
        max_body_bytes=settings.import_max_bytes + 1024 * 1024,
    )
    app.add_middleware(ClientAddressMiddleware, trusted_proxies=settings.trusted_proxies)
    app.mount("/static", StaticFiles(directory=ROOT / "app" / "static"), name="static")

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        code = getattr(exc, "code", None)
        if code is not None and _wants_json(request):
            # A machine-readable detail (PRODUCT.md §5) and the reason in Indonesian.
            body = {"detail": code, "message": exc.message}
            return JSONResponse(body, status_code=exc.status_code)
        return _error_response(request, exc.status_code, exc.message)

    @app.exception_handler(RedirectRequired)
    async def redirect_required(request: Request, exc: RedirectRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Autentikasi diperlukan."}, status_code=401)
        return RedirectResponse(exc.url, status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: "Halaman tidak ditemukan.", 405: "Metode tidak diizinkan."}
        shown = _wants_json(request) or isinstance(exc, BodyTooLarge)
        detail = exc.detail if shown and isinstance(exc.detail, str) else None
        return _error_response(
            request, exc.status_code, detail or messages.get(exc.status_code, "Terjadi kesalahan.")
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            # Without the offending input: it may be bytes (an undeclared text/plain body),
            # which JSON cannot carry, or megabytes the client already has.
            errors = [
                {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")}
                for e in exc.errors()
            ]
            return JSONResponse({"detail": errors}, status_code=422)
        return _error_response(request, 422, "Data yang dikirim tidak lengkap atau tidak valid.")

    @app.exception_handler(DBAPIError)
    async def database_refused(request: Request, exc: DBAPIError) -> Response:
        # PostgreSQL refuses a NUL character in text, wherever it came from (a path, a query
        # string, a form, a JSON string); SQLite stores it. The request's transaction is
        # already rolled back: say what was wrong instead of answering 500.
        if "NUL" in str(exc.orig):
            return _error_response(request, 400, "Masukan berisi karakter yang tidak sah (NUL).")
        return await unexpected(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The route's template, not the path: a path may carry a secret (a password-reset
        # link's token) and logs never do.
        route = request.scope.get("route")
        where = getattr(route, "path", None) or "(no route)"
        log.exception("unhandled error on %s %s", request.method, where)
        return _error_response(request, 500, "Terjadi kesalahan pada server. Silakan coba lagi.")

    from app import routers

    routers.include_all(app)
    return app
