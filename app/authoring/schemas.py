"""The zip import's answer (POST /api/v1/courses/import)."""

from __future__ import annotations

from pydantic import BaseModel

from app.authoring.service import ZipImport


class ProblemOut(BaseModel):
    path: str  # inside the zip, e.g. "literasi-digital/course.yaml"
    line: int  # 0 when the problem is the zip itself, not a line of a file
    message: str


class ZipImportOut(BaseModel):
    slug: str | None
    version: int | None
    action: str | None  # created | updated | unchanged; null when refused
    dry_run: bool
    problems: list[ProblemOut]
    warnings: list[str]

    @classmethod
    def of(cls, result: ZipImport) -> ZipImportOut:
        return cls(
            slug=result.slug,
            version=result.version,
            action=result.action,
            dry_run=result.dry_run,
            problems=[
                ProblemOut(path=p.path, line=p.line, message=p.message) for p in result.problems
            ],
            warnings=result.warnings,
        )
