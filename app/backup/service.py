"""Scheduled backups and the record of the last one (shown on the admin settings page).

The record lives in the app_setting table (key `backup.last`), so every node sees it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.backup.dump import BackupError, BackupResult, create_backup
from app.config import get_settings
from app.core import clock
from app.core.db import Database
from app.models import AppSetting

log = logging.getLogger("cakap.backup")

STATUS_KEY = "backup.last"
SCHEDULED_PREFIX = "cakap-"
SUFFIX = ".cakapbak"
# A second node (or a rerun) within this window finds today's backup made and does nothing.
MIN_INTERVAL = timedelta(hours=20)


@dataclass(frozen=True)
class BackupStatus:
    """What the admin page shows: the last attempt and the last backup that succeeded."""

    at: datetime
    status: str  # ok | failed | skipped
    file: str | None
    size: int | None
    message: str | None
    last_ok_at: datetime | None
    last_ok_file: str | None
    last_ok_size: int | None


def _parse(value: Any) -> BackupStatus | None:
    if not isinstance(value, dict) or "at" not in value:
        return None

    def when(key: str) -> datetime | None:
        raw = value.get(key)
        return datetime.fromisoformat(raw) if raw else None

    at = when("at")
    assert at is not None
    return BackupStatus(
        at=at,
        status=str(value.get("status")),
        file=value.get("file"),
        size=value.get("size"),
        message=value.get("message"),
        last_ok_at=when("last_ok_at"),
        last_ok_file=value.get("last_ok_file"),
        last_ok_size=value.get("last_ok_size"),
    )


@dataclass(frozen=True)
class BackupPanel:
    """The admin settings page's backup line."""

    last: BackupStatus | None
    passphrase_set: bool
    directory: str
    keep: int


def panel(session: Session) -> BackupPanel:
    settings = get_settings()
    return BackupPanel(
        last=last_status(session),
        passphrase_set=bool(settings.backup_passphrase.strip()),
        directory=str(settings.effective_backup_dir),
        keep=settings.backup_keep,
    )


def last_status(session: Session) -> BackupStatus | None:
    row = session.get(AppSetting, STATUS_KEY)
    return _parse(row.value) if row is not None else None


def record(
    session: Session,
    *,
    status: str,
    at: datetime,
    file: str | None = None,
    size: int | None = None,
    message: str | None = None,
) -> BackupStatus:
    row = session.get(AppSetting, STATUS_KEY)
    previous = row.value if row is not None and isinstance(row.value, dict) else {}
    value: dict[str, Any] = {
        "at": at.isoformat(),
        "status": status,
        "file": file,
        "size": size,
        "message": message,
        "last_ok_at": previous.get("last_ok_at"),
        "last_ok_file": previous.get("last_ok_file"),
        "last_ok_size": previous.get("last_ok_size"),
    }
    if status == "ok":
        value.update(last_ok_at=at.isoformat(), last_ok_file=file, last_ok_size=size)
    if row is None:
        session.add(AppSetting(key=STATUS_KEY, value=value))
    else:
        row.value = value
    session.flush()
    parsed = _parse(value)
    assert parsed is not None
    return parsed


def record_backup(session: Session, *, result: BackupResult, scheduled: bool) -> None:
    """A backup holds every NIP: it is an export of personal data, so it is audited."""
    record(session, status="ok", at=clock.now(), file=result.path.name, size=result.size)
    audit.record(
        session,
        actor=None,
        action="backup.create",
        object_type="backup",
        object_id=result.path.name,
        detail={
            "size": result.size,
            "encrypted": result.encrypted,
            "scheduled": scheduled,
            "files": list(result.files),
        },
    )


def prune(directory: Path, *, keep: int) -> list[Path]:
    """Remove the oldest scheduled backups beyond `keep` (the names sort by time)."""
    found = sorted(directory.glob(f"{SCHEDULED_PREFIX}*{SUFFIX}"))
    removed = found[: max(len(found) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def scheduled_backup(db: Database) -> BackupStatus | None:
    """The worker's daily backup: encrypted with CAKAP_BACKUP_PASSPHRASE into CAKAP_BACKUP_DIR,
    keeping CAKAP_BACKUP_KEEP. Without a passphrase it is skipped, loudly (never plain).
    None when a backup younger than MIN_INTERVAL exists (another node made it)."""
    settings = get_settings()
    now = clock.now()
    with db.unit_of_work(write=False) as session:
        last = last_status(session)
    if last is not None and last.last_ok_at is not None and now - last.last_ok_at < MIN_INTERVAL:
        return None
    if not settings.backup_passphrase.strip():
        log.warning("scheduled backup skipped: CAKAP_BACKUP_PASSPHRASE is not set")
        with db.unit_of_work() as session:
            return record(
                session,
                status="skipped",
                at=now,
                message=(
                    "Pencadangan terjadwal dilewati: CAKAP_BACKUP_PASSPHRASE belum diisi "
                    "(cadangan tidak pernah dibuat tanpa enkripsi)."
                ),
            )
    directory = settings.effective_backup_dir
    output = directory / f"{SCHEDULED_PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIX}"
    try:
        result = create_backup(url=db.url, output=output, passphrase=settings.backup_passphrase)
    except (BackupError, OSError) as exc:
        log.exception("scheduled backup failed")
        with db.unit_of_work() as session:
            return record(
                session,
                status="failed",
                at=now,
                file=output.name,
                message=f"Pencadangan gagal: {exc}",
            )
    prune(directory, keep=settings.backup_keep)
    log.info("scheduled backup written: %s (%d bytes)", output.name, result.size)
    with db.unit_of_work() as session:
        record_backup(session, result=result, scheduled=True)
        return last_status(session)
