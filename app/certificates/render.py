"""Certificate PDFs with WeasyPrint from a design folder under certificates/.

Rendering fetches nothing from outside the design folder: the URL fetcher refuses every other
URL, and the QR code is an inline vector image."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.config import ROOT

DESIGNS = ROOT / "certificates"


class FetchRefused(ValueError):
    pass


@dataclass
class ModuleLine:
    title: str
    jp: int


def module_jp(modules: list[tuple[str, int]], total_jp: int) -> list[ModuleLine]:
    """Share the course's JP among modules by their minutes (largest remainder, sums exactly)."""
    minutes = sum(m for _, m in modules) or 1
    raw = [(title, total_jp * m / minutes) for title, m in modules]
    floors = [int(v) for _, v in raw]
    left = total_jp - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: raw[i][1] - floors[i], reverse=True)
    for i in order[:left]:
        floors[i] += 1
    return [ModuleLine(title, jp) for (title, _), jp in zip(raw, floors, strict=True)]


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4, border=0, dark="#1d2733")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@lru_cache(maxsize=8)
def _environment(design: str) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(DESIGNS / design)), autoescape=select_autoescape(["html"])
    )


def _fetcher(design_dir: Path) -> Any:
    return _fetcher_for(str(design_dir.resolve()))


@lru_cache(maxsize=8)
def _fetcher_for(root_path: str) -> Any:
    """One fetcher per design folder, made once: only data: URIs and files inside the folder."""
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    root = Path(root_path)

    class DesignFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise FetchRefused(f"certificate rendering refused to fetch {url}")

    return DesignFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


@lru_cache(maxsize=1)
def font_configuration() -> Any:
    """One FontConfiguration per process. WeasyPrint makes a new one for every document when
    none is given, and their fontconfig memory is never freed: 0.25 MB per certificate, measured
    (docs/benchmarks.md). Sharing it also halves the cost of a small page."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(design: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    design_dir = DESIGNS / design
    if not (design_dir / "certificate.html").is_file():
        design_dir = DESIGNS / "default"
        design = "default"
    html = _environment(design).get_template("certificate.html").render(context)
    document = HTML(
        string=html, base_url=str(design_dir.resolve()) + "/", url_fetcher=_fetcher(design_dir)
    )
    return document.write_pdf(font_config=font_configuration())
