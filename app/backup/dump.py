"""`cakap backup`: one snapshot of the database, written as an engine-neutral archive.

The archive is a zip: `manifest.json`, one JSON-lines file per table (parents before children,
one JSON array per row, in primary-key order) and the files a restore needs (the signing key,
only when asked). Encrypted unless plain (see crypto.py). The snapshot: on PostgreSQL one
REPEATABLE READ READ ONLY transaction; on SQLite the online backup API copies the database in
one step into a private temporary file, which is read afterwards. Writers go on meanwhile."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.backup import codec, schema
from app.backup.crypto import EncryptingWriter
from app.core import clock

FORMAT = "cakap-backup"
FORMAT_VERSION = 1
BATCH = 500
SIGNING_KEY_ENTRY = "files/signing-key.p12"

# Progress: (what is being done, done so far, total or None).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    encrypted: bool
    revision: str
    snapshot_at: datetime
    rows: dict[str, int] = field(default_factory=dict)
    files: tuple[str, ...] = ()


class BackupError(Exception):
    """The backup could not be made; the message says why, in the interface language."""


def _no_progress(_what: str, _done: int, _total: int | None) -> None:
    return None


@contextmanager
def snapshot(url: str, *, workdir: Path) -> Iterator[tuple[Connection, datetime]]:
    """A connection that sees one consistent state of the database, and the moment just
    before that state was taken: every transaction committed before it is in the snapshot."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
        source_path = Path(parsed.database)
        if not source_path.is_file():
            raise BackupError(f"Basis data {source_path} tidak ditemukan.")
        with tempfile.TemporaryDirectory(dir=workdir, prefix=".cakap-snapshot-") as tmp:
            os.chmod(tmp, 0o700)
            copy = Path(tmp) / "snapshot.db"
            source = sqlite3.connect(str(source_path), timeout=30)
            target = sqlite3.connect(str(copy))
            try:
                source.execute("PRAGMA busy_timeout=30000")
                taken_at = clock.now()
                # One step (pages=-1): one read transaction copies every page, so the copy is
                # one state of the database; under WAL the server's writers go on meanwhile.
                source.backup(target, pages=-1)
            finally:
                target.close()
                source.close()
            engine = create_engine(f"sqlite:///{copy}", poolclass=NullPool)
            try:
                with engine.connect() as conn:
                    yield conn, taken_at
            finally:
                engine.dispose()
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as raw:
            conn = raw.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with conn.begin():
                taken_at = clock.now()
                conn.execute(text("SELECT 1"))  # the snapshot is taken at the first statement
                yield conn, taken_at
    finally:
        engine.dispose()


def table_entry(index: int, name: str) -> str:
    return f"tables/{index:03d}-{name}.jsonl"


def _rows(conn: Connection, table: Any) -> Iterator[list[Any]]:
    columns = list(table.columns)
    kinds = [codec.kind(c) for c in columns]
    encoders = [codec.encoder(c) for c in columns]
    json_nulls = [
        c.is_(None).label(f"null_{c.name}")
        for c, k in zip(columns, kinds, strict=True)
        if k == "json"
    ]
    stmt = select(*columns, *json_nulls).order_by(*table.primary_key.columns)
    result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(stmt)
    width = len(columns)
    for row in result:
        flags = iter(row[width:])
        out: list[Any] = []
        for value, k, encode in zip(row[:width], kinds, encoders, strict=True):
            if k == "json":
                # [value] for a JSON value (null included), None for SQL NULL.
                out.append(None if next(flags) else [value])
            else:
                out.append(encode(value))
        yield out


def signing_key_file() -> Path:
    from app.certificates import signing

    return signing.key_path()


def write_archive(
    sink: BinaryIO,
    *,
    url: str,
    workdir: Path,
    with_signing_key: bool,
    progress: Progress = _no_progress,
) -> tuple[dict[str, Any], datetime]:
    """Write the zip to `sink`; the manifest and the snapshot's moment."""
    files: list[dict[str, Any]] = []
    with (
        zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf,
        snapshot(url, workdir=workdir) as (conn, taken_at),
    ):
        revision = schema.current_revision(conn)
        if revision is None:
            raise BackupError("Basis data belum dibuat (belum ada revisi Alembic).")
        if revision != schema.head_revision():
            raise BackupError(
                f"Basis data pada revisi {revision}, kode ini pada {schema.head_revision()}: "
                "jalankan `cakap init` lebih dahulu."
            )
        tables = schema.tables()
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) or 0 for t in tables}
        total = sum(counts.values())
        done = 0
        entries: list[dict[str, Any]] = []
        for index, table in enumerate(tables, start=1):
            name = table_entry(index, table.name)
            digest = hashlib.sha256()
            rows = 0
            with zf.open(name, "w", force_zip64=True) as member:
                for row in _rows(conn, table):
                    line = (json.dumps(row, separators=(",", ":")) + "\n").encode("ascii")
                    digest.update(line)
                    member.write(line)
                    rows += 1
                    done += 1
                    if done % BATCH == 0:
                        progress(f"Tabel {table.name}", done, total)
            progress(f"Tabel {table.name}", done, total)
            entries.append(
                {
                    "name": table.name,
                    "path": name,
                    "columns": [c.name for c in table.columns],
                    "rows": rows,
                    "sha256": digest.hexdigest(),
                }
            )
        if with_signing_key:
            key = signing_key_file()
            if not key.is_file():
                raise BackupError(f"Kunci penanda tangan tidak ditemukan di {key}.")
            data = key.read_bytes()
            zf.writestr(SIGNING_KEY_ENTRY, data)
            files.append(
                {
                    "path": SIGNING_KEY_ENTRY,
                    "role": "signing_key",
                    "size": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                }
            )
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "alembic_revision": revision,
            "source": conn.dialect.name,
            "created_at": clock.now().isoformat(),
            "snapshot_at": taken_at.isoformat(),
            "tables": entries,
            "files": files,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest, taken_at


def create_backup(
    *,
    url: str,
    output: Path,
    passphrase: str | None,
    with_signing_key: bool = False,
    progress: Progress = _no_progress,
) -> BackupResult:
    """Write a backup to `output` (atomically: a partial file never carries the final name).
    `passphrase` None means plain (the caller decided so explicitly)."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw:
            if passphrase is None:
                manifest, taken_at = write_archive(
                    raw,
                    url=url,
                    workdir=output.parent,
                    with_signing_key=with_signing_key,
                    progress=progress,
                )
            else:
                sealed = EncryptingWriter(raw, passphrase)
                manifest, taken_at = write_archive(
                    sealed,  # type: ignore[arg-type]
                    url=url,
                    workdir=output.parent,
                    with_signing_key=with_signing_key,
                    progress=progress,
                )
                sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(
        path=output,
        size=output.stat().st_size,
        encrypted=passphrase is not None,
        revision=str(manifest["alembic_revision"]),
        snapshot_at=taken_at,
        rows={t["name"]: t["rows"] for t in manifest["tables"]},
        files=tuple(f["path"] for f in manifest["files"]),
    )
