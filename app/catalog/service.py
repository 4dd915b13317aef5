"""The catalogue: what a logged-in user may browse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.courses import repository as courses
from app.models import Course, CourseMedia, CourseVersion

AREAS = {
    "literasi-digital": "Literasi Digital",
    "smart-governance": "Smart Governance",
    "data": "Data dan Pengambilan Keputusan",
}
LEVELS = {"dasar": "Dasar", "menengah": "Menengah", "lanjut": "Lanjut"}


@dataclass
class CatalogEntry:
    course: Course
    version: CourseVersion


def search(
    session: Session, *, query: str | None, area: str | None, level: str | None
) -> list[CatalogEntry]:
    query = (query or "").strip()[:100] or None
    area = area if area in AREAS else None
    level = level if level in LEVELS else None
    return [
        CatalogEntry(c, v)
        for c, v in courses.published(session, query=query, area=area, level=level)
    ]


def published_course(session: Session, *, slug: str) -> CourseVersion:
    """The current version of a published course, with its outline loaded; else NotFound."""
    version = courses.published_outline(session, slug)
    if version is None:
        raise NotFound("Kursus tidak ditemukan.")
    return version


def media_file(session: Session, *, slug: str, version_number: int, path: str) -> CourseMedia:
    found = courses.media(session, slug=slug, version_number=version_number, path=path)
    if found is None:
        raise NotFound("Berkas tidak ditemukan.")
    return found
