from __future__ import annotations

from pydantic import BaseModel


class ImportErrorOut(BaseModel):
    row: int
    field: str
    message: str


class NewAccountOut(BaseModel):
    row: int
    nip: str
    temporary_password: str


class ImportOut(BaseModel):
    dry_run: bool
    total_rows: int
    created: int
    updated: int
    unchanged: int
    units_created: int
    errors: list[ImportErrorOut]
    accounts: list[NewAccountOut]
    # dry_run false: the rows are written by a background job (GET /api/v1/jobs/{job_id});
    # created/updated/unchanged then say what the validated file will do.
    job_id: int | None = None
