"""The one Jinja environment for templates/, with Indonesian date and number filters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.config import ROOT, get_settings
from app.core import security
from app.core.clock import WIB

LOCALE = "id_ID"


def tanggal(value: date | datetime | None) -> str:
    """`27 November 2026`."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(WIB).date()
    return format_date(value, "d MMMM y", locale=LOCALE)


def tanggal_jam(value: datetime | None) -> str:
    """`27 November 2026 20.13 WIB`."""
    if value is None:
        return "—"
    return format_datetime(value.astimezone(WIB), "d MMMM y HH.mm", locale=LOCALE) + " WIB"


def ukuran(value: int | None) -> str:
    """A file size: `759,9 KB`, `1,2 MB` (decimal comma)."""
    if value is None:
        return "—"
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= factor:
            return f"{angka(value / factor, 1)} {unit}"
    return f"{value} bita"


def angka(value: float | int | None, digits: int = 0) -> str:
    """Decimal comma and dot grouping: `1.234,5`."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def scrollable_tables(html: str) -> Markup:
    """Wrap each table of trusted (already sanitised) HTML in a focusable, labelled region, so
    a wide table scrolls sideways on a phone and the keyboard can reach it (WCAG 2.1.1)."""
    region = (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Tabel (dapat digulir)">'
    )
    wrapped = html.replace("<table>", region + "<table>").replace("</table>", "</table></div>")
    return Markup(wrapped)  # noqa: S704 - sanitised lesson HTML; only fixed markup is added


_domain_filters: dict[str, Callable[..., Any]] = {}


def register_filter(name: str, function: Callable[..., Any]) -> None:
    """A filter from a domain package (core/ imports none): registered when its routes are."""
    _domain_filters[name] = function
    if environment.cache_info().currsize:
        environment().filters[name] = function


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "templates")),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates ship with the code and a release restarts the processes: no need to stat
        # every template file on every render.
        auto_reload=False,
    )
    env.filters["tanggal"] = tanggal
    env.filters["tanggal_jam"] = tanggal_jam
    env.filters["angka"] = angka
    env.filters["ukuran"] = ukuran
    env.filters["scrollable_tables"] = scrollable_tables
    env.filters.update(_domain_filters)
    env.globals["app_name"] = "Cakap"
    return env


def csrf_for(request: Request) -> str:
    binding = getattr(request.state, "csrf_binding", "")
    return security.csrf_token(get_settings().secret_key, binding)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    token = csrf_for(request)
    ctx: dict[str, Any] = {
        "request": request,
        "current_user": getattr(request.state, "user", None),
        "viewer": getattr(request.state, "viewer", None),
        "csrf_token": token,
        "csrf_field": Markup('<input type="hidden" name="csrf_token" value="{}">').format(token),
        "flash": unquote(request.cookies.get("cakap_flash", "")),
    }
    ctx.update(context or {})
    html = environment().get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    if ctx["flash"]:
        response.delete_cookie("cakap_flash", path="/")
    return response


def redirect(url: str, *, flash: str | None = None) -> RedirectResponse:
    """POST → 303 → GET, optionally carrying a one-time message to the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie("cakap_flash", quote(flash), max_age=60, httponly=True, samesite="lax")
    return response
