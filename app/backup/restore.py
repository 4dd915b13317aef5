"""`cakap restore`: a backup into an empty database of either kind, all or nothing.

Checked before anything is written: the passphrase, the archive's checksums, the manifest
(format, Alembic revision, the tables and their columns), that the target is empty. Then every
table is inserted in foreign-key order in one transaction, keeping primary keys; PostgreSQL's
sequences are moved past the restored ids; the signing key file (if the backup holds one) is
written last."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.backup import codec, schema
from app.backup.crypto import BackupCryptoError, decrypt, is_encrypted
from app.backup.dump import (
    BATCH,
    FORMAT,
    FORMAT_VERSION,
    SIGNING_KEY_ENTRY,
    Progress,
    _no_progress,
    signing_key_file,
)
from app.core.db import WRITE, build_engine


class RestoreRefused(Exception):
    """The restore did not start, or rolled back; nothing was changed. The message says why."""


@dataclass(frozen=True)
class RestoreResult:
    revision: str
    source: str
    created_at: datetime
    rows: dict[str, int] = field(default_factory=dict)
    signing_key: Path | None = None


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _open_plain(source: Path, passphrase: str | None, workdir: Path, progress: Progress) -> Path:
    """The archive's plain zip: the file itself, or its decryption in `workdir`."""
    with source.open("rb") as f:
        head = f.read(8)
    if not is_encrypted(head):
        if not zipfile.is_zipfile(source):
            raise RestoreRefused("Berkas ini bukan cadangan Cakap (bukan zip maupun terenkripsi).")
        return source
    if not passphrase:
        raise RestoreRefused(
            "Cadangan ini terenkripsi: berikan frasa sandinya dengan --passphrase-file "
            "atau CAKAP_BACKUP_PASSPHRASE."
        )
    plain = workdir / "backup.zip"
    progress("Membuka enkripsi", 0, None)
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source.open("rb") as sealed, os.fdopen(fd, "wb") as out:
        try:
            decrypt(sealed, out, passphrase)
        except BackupCryptoError as exc:
            raise RestoreRefused(str(exc)) from None
    return plain


def _manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except KeyError:
        raise RestoreRefused("Cadangan tidak memuat manifest.json.") from None
    except ValueError:
        raise RestoreRefused("manifest.json cadangan rusak.") from None
    if manifest.get("format") != FORMAT:
        raise RestoreRefused("Berkas ini bukan cadangan Cakap.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RestoreRefused(
            f"Format cadangan versi {manifest.get('format_version')} tidak dikenal "
            f"(versi ini membaca {FORMAT_VERSION})."
        )
    return manifest


def _check_archive(zf: zipfile.ZipFile, manifest: dict[str, Any], progress: Progress) -> None:
    """Every table and file as the manifest says (checksums), and the tables those of this
    version of Cakap, column for column."""
    expected = {t.name: [c.name for c in t.columns] for t in schema.tables()}
    listed = {t["name"]: t for t in manifest["tables"]}
    if set(listed) != set(expected):
        missing = sorted(set(expected) - set(listed))
        extra = sorted(set(listed) - set(expected))
        raise RestoreRefused(
            f"Tabel cadangan tidak cocok dengan skema: kurang {missing}, lebih {extra}."
        )
    for name, columns in expected.items():
        if listed[name]["columns"] != columns:
            raise RestoreRefused(f"Kolom tabel {name} dalam cadangan tidak cocok dengan skema.")
    items = [*manifest["tables"], *manifest.get("files", [])]
    for done, item in enumerate(items, start=1):
        progress("Memeriksa checksum", done, len(items))
        try:
            with zf.open(item["path"]) as member:
                actual = _sha256(member)
        except KeyError:
            raise RestoreRefused(f"Cadangan tidak memuat {item['path']}.") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise RestoreRefused(f"{item['path']} dalam cadangan rusak: {exc}.") from None
        if actual != item["sha256"]:
            raise RestoreRefused(
                f"Checksum {item['path']} tidak cocok: cadangan rusak atau telah diubah."
            )


def _nonempty_tables(conn: Connection) -> list[str]:
    return [
        t.name
        for t in schema.tables()
        if conn.execute(select(literal(1)).select_from(t).limit(1)).first() is not None
    ]


def _prepare_target(url: str, revision: str) -> None:
    """Create the schema of an empty database, or check the revision of an existing one."""
    head = schema.head_revision()
    if revision != head:
        raise RestoreRefused(
            f"Cadangan dibuat pada revisi skema {revision}, versi Cakap ini pada {head}. "
            "Pulihkan dengan versi Cakap yang sama dengan yang membuat cadangan, lalu "
            "tingkatkan dengan `cakap init`."
        )
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            current = schema.current_revision(conn)
            present = schema.existing_tables(conn) & {t.name for t in schema.tables()}
    finally:
        engine.dispose()
    if current is None:
        if present:
            raise RestoreRefused(
                "Basis data tujuan memuat tabel tetapi bukan skema Cakap yang dikenal "
                "(tidak ada revisi Alembic); gunakan basis data kosong."
            )
        schema.upgrade(url, revision)
    elif current != revision:
        raise RestoreRefused(
            f"Basis data tujuan pada revisi {current}, cadangan pada {revision}: "
            "gunakan basis data kosong atau pada revisi yang sama."
        )


def _lines(zf: zipfile.ZipFile, path: str) -> Iterator[list[Any]]:
    with zf.open(path) as member:
        for line in member:
            yield json.loads(line)


def _insert_table(
    conn: Connection,
    zf: zipfile.ZipFile,
    table: Table,
    entry: dict[str, Any],
    on_rows: Any,
    later: list[dict[str, Any]],
) -> int:
    """Insert one table's rows; the deferred foreign keys' values go to `later`."""
    columns = list(table.columns)
    deferred = schema.deferred_columns().get(table.name, [])
    pk = [c.name for c in table.primary_key.columns]
    kinds = [codec.kind(c) for c in columns]
    decoders = [codec.decoder(c) for c in columns]
    # JSON goes through a bind of its own: None there means SQL NULL and JSON.NULL the JSON
    # value null, so both come back as they were.
    values = {
        c.name: bindparam(f"json_{c.name}", type_=JSON(none_as_null=True))
        for c, k in zip(columns, kinds, strict=True)
        if k == "json"
    }
    stmt = insert(table).values(values) if values else insert(table)
    keys = [
        f"json_{c.name}" if k == "json" else c.name for c, k in zip(columns, kinds, strict=True)
    ]

    def decode(row: list[Any]) -> dict[str, Any]:
        out = {}
        for key, k, value, dec in zip(keys, kinds, row, decoders, strict=True):
            if k == "json":
                out[key] = None if value is None else (JSON.NULL if value[0] is None else value[0])
            else:
                out[key] = dec(value)
        return out

    count = 0
    batch: list[dict[str, Any]] = []
    for row in _lines(zf, entry["path"]):
        if len(row) != len(columns):
            raise RestoreRefused(f"Baris tabel {table.name} tidak sesuai kolomnya.")
        values_ = decode(row)
        for name in deferred:
            if values_[name] is not None:
                later.append(
                    {
                        "table": table.name,
                        "column": name,
                        "pk": {k: values_[k] for k in pk},
                        "value": values_[name],
                    }
                )
                values_[name] = None
        batch.append(values_)
        if len(batch) >= BATCH:
            conn.execute(stmt, batch)
            count += len(batch)
            on_rows(len(batch))
            batch = []
    if batch:
        conn.execute(stmt, batch)
        count += len(batch)
        on_rows(len(batch))
    return count


def _fill_deferred(conn: Connection, later: list[dict[str, Any]]) -> None:
    tables = {t.name: t for t in schema.tables()}
    for item in later:
        table = tables[item["table"]]
        where = [table.c[k] == v for k, v in item["pk"].items()]
        conn.execute(update(table).where(*where).values({item["column"]: item["value"]}))


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL hands out ids from sequences that a restore with kept ids did not move."""
    for table in schema.tables():
        pks = list(table.primary_key.columns)
        if len(pks) != 1 or codec.kind(pks[0]) != "int":
            continue
        column = pks[0]
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": column.name},
        )
        if sequence is None:
            continue
        top = conn.scalar(select(func.max(column)))
        conn.execute(
            text("SELECT setval(:sequence, :value, false)"),
            {"sequence": sequence, "value": (top or 0) + 1},
        )


def restore_backup(
    *,
    url: str,
    source: Path,
    passphrase: str | None,
    progress: Progress = _no_progress,
) -> RestoreResult:
    if not source.is_file():
        raise RestoreRefused(f"Berkas {source} tidak ditemukan.")
    with tempfile.TemporaryDirectory(prefix="cakap-restore-") as tmp:
        os.chmod(tmp, 0o700)
        plain = _open_plain(source, passphrase, Path(tmp), progress)
        try:
            zf = zipfile.ZipFile(plain)
        except zipfile.BadZipFile:
            raise RestoreRefused("Berkas cadangan rusak (zip tidak terbaca).") from None
        with zf:
            manifest = _manifest(zf)
            _check_archive(zf, manifest, progress)
            key_entry = next(
                (f for f in manifest.get("files", []) if f.get("role") == "signing_key"), None
            )
            key_path = signing_key_file() if key_entry else None
            key_data = zf.read(SIGNING_KEY_ENTRY) if key_entry else None
            if key_path is not None and key_path.exists() and key_path.read_bytes() != key_data:
                raise RestoreRefused(
                    f"Kunci penanda tangan lain sudah ada di {key_path}; pindahkan dulu "
                    "(tidak ada yang diubah)."
                )
            revision = str(manifest["alembic_revision"])
            try:
                _prepare_target(url, revision)
                rows = _insert_all(url, zf, manifest, progress)
            except SQLAlchemyError as exc:
                # The driver's message may quote a row (a NIP): name the error, not the data.
                error = type(getattr(exc, "orig", None) or exc).__name__
                raise RestoreRefused(
                    f"basis data tujuan menolak pemulihan ({error}); semua perubahan dibatalkan."
                ) from None
        if key_path is not None and key_data is not None and not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(key_data)
    return RestoreResult(
        revision=revision,
        source=str(manifest.get("source")),
        created_at=datetime.fromisoformat(manifest["created_at"]),
        rows=rows,
        signing_key=key_path,
    )


def _insert_all(
    url: str, zf: zipfile.ZipFile, manifest: dict[str, Any], progress: Progress
) -> dict[str, int]:
    listed = {t["name"]: t for t in manifest["tables"]}
    total = sum(int(t["rows"]) for t in manifest["tables"])
    done = [0]
    engine = build_engine(url, pool_size=1)
    rows: dict[str, int] = {}
    later: list[dict[str, Any]] = []
    try:
        with engine.connect() as raw:
            conn = raw.execution_options(**WRITE)
            with conn.begin():
                # Checked again inside the writing transaction: nobody filled it meanwhile.
                if filled := _nonempty_tables(conn):
                    raise RestoreRefused(
                        "Basis data tujuan tidak kosong (berisi data di tabel "
                        f"{', '.join(filled[:5])}{'…' if len(filled) > 5 else ''}); "
                        "pemulihan hanya ke basis data kosong. Tidak ada yang diubah."
                    )
                for table in schema.tables():
                    entry = listed[table.name]

                    def advance(n: int, name: str = table.name) -> None:
                        done[0] += n
                        progress(f"Tabel {name}", done[0], total)

                    count = _insert_table(conn, zf, table, entry, advance, later)
                    if count != int(entry["rows"]):
                        raise RestoreRefused(
                            f"Tabel {table.name}: {count} baris, manifest menyebut {entry['rows']}."
                        )
                    rows[table.name] = count
                _fill_deferred(conn, later)
                if conn.dialect.name == "postgresql":
                    _reset_sequences(conn)
                _audit(conn, manifest)
    finally:
        engine.dispose()
    return rows


def _audit(conn: Connection, manifest: dict[str, Any]) -> None:
    from app.audit import service as audit

    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        audit.record(
            session,
            actor=None,
            action="backup.restore",
            object_type="backup",
            detail={
                "created_at": manifest["created_at"],
                "source": manifest.get("source"),
                "revision": manifest["alembic_revision"],
                "rows": sum(int(t["rows"]) for t in manifest["tables"]),
            },
        )
        session.commit()  # releases the savepoint; the restore's transaction commits it
