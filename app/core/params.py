"""Bounded integers for paths and query strings.

An unbounded `int` parameter lets `/jobs/9223372036854775808` reach the database driver, which
fails (SQLite cannot bind it; PostgreSQL overflows an OFFSET) and the request answers 500.
Every integer a URL carries goes through one of these, so FastAPI answers 422 instead."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

# Primary keys are INTEGER columns: nothing above this exists on PostgreSQL or SQLite.
MAX_ROW_ID = 2**31 - 1
MAX_PAGE = 100_000

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""The id of a row in a URL path (`/jobs/{job_id}`)."""

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
"""A 1-based page or position number in a query string (`?page=2`, `?q=3`)."""

VersionNumber = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
"""A course version number in a URL path."""
