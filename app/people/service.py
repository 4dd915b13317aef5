"""People import: preview every row's problems, then write the valid rows in one go."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.asn.employment import JENIS_ASN, JENIS_JABATAN, normalise_golongan
from app.asn.nip import InvalidNip, validate_nip
from app.audit import service as audit
from app.config import get_settings
from app.core import clock
from app.core.csv_export import csv_text
from app.core.db import Database
from app.core.errors import Conflict, Forbidden, Invalid
from app.core.text import MAX_EMAIL, normalise_email
from app.jobs import queue as jobs
from app.jobs import service as job_records
from app.models import ImportBatch, Instansi, Job, Role, Unit, User, UserRole
from app.org import repository as org_repository
from app.org import service as org
from app.people import repository
from app.people.files import KNOWN_COLUMNS, Sheet, UnreadableFile, read_sheet

FIELDS = ("nama", "email", "jenis_asn", "golongan", "jenis_jabatan", "jabatan")

# Characters of a cell looked at: longer is refused before any other check, so a hostile
# 40,000-character cell costs nothing (and never reaches a validator).
MAX_CELL = 1_000
FIELD_MAX = {
    "nip": 40,  # 18 digits, with the spaces and dots people type
    "nama": 200,
    "email": MAX_EMAIL,
    "jenis_asn": 10,
    "golongan": 10,
    "jenis_jabatan": 20,
    "jabatan": 200,
    "kode_unit": 40,
    "nama_unit": org.UNIT_NAME_MAX,
}
# Said of a NIP whose account this import may not touch; it names no other instansi (a dry run
# must not tell HR where a NIP is registered).
NOT_IMPORTABLE = "NIP ini tidak dapat diimpor ke instansi ini; hubungi admin Cakap"
NOT_A_LEARNER = (
    "akun dengan NIP ini bukan akun peserta saja (pengajar, BKPSDM, atau admin) dan tidak "
    "diubah lewat impor"
)


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class CleanRow:
    row: int
    nip: str
    values: dict[str, str | None]
    unit_code: str | None
    unit_name: str | None


@dataclass
class NewAccount:
    row: int
    nip: str
    name: str
    temporary_password: str


@dataclass
class ImportReport:
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    units_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    accounts: list[NewAccount] = field(default_factory=list)
    bad_rows: str = ""  # the rows with errors as uploaded, with a `kesalahan` column (CSV)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors if e.row > 1})


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL + 1]  # still longer than every limit, at a bounded cost
    return text.strip()


def _may_update(user: User, instansi: Instansi) -> str | None:
    """Why an import may not touch this existing account, or None: it updates only learners
    of the target instansi, never an account without one nor a trainer's, HR's or admin's."""
    if user.instansi_id != instansi.id:
        return NOT_IMPORTABLE
    if user.role_names != {"learner"}:
        return NOT_A_LEARNER
    return None


def import_scope(user: User, instansi: Instansi) -> None:
    """HR may import only into her own instansi; admins anywhere."""
    if user.has_role("admin"):
        return
    scope = accounts.hr_instansi_id(user) if user.has_role("hr") else None
    if scope is not None and scope == instansi.id:
        return
    raise Forbidden("Anda hanya dapat mengimpor pegawai ke instansi Anda sendiri.")


def _validate(
    session: Session, *, sheet: Sheet, instansi: Instansi
) -> tuple[list[CleanRow], list[RowError]]:
    errors: list[RowError] = [
        RowError(
            1,
            col,
            f"kolom tidak dikenal (diabaikan); kolom yang dikenali: {', '.join(KNOWN_COLUMNS)}",
        )
        for col in sheet.unknown_columns
    ]
    today = clock.today()
    clean: list[CleanRow] = []
    seen_nips: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    candidates: list[tuple[int, dict[str, object]]] = sheet.rows

    for row, values in candidates:
        row_errors: list[RowError] = []
        raw_nip = values.get("nip")
        text: dict[str, str] = {}
        for key, limit in FIELD_MAX.items():
            text[key] = _text(values.get(key))
            if len(text[key]) > limit:
                row_errors.append(
                    RowError(row, key, f"terlalu panjang (maksimal {limit} karakter)")
                )
                text[key] = ""
        too_long = {e.field for e in row_errors}
        jenis = text["jenis_asn"].upper() or "PNS"
        if jenis not in JENIS_ASN:
            row_errors.append(
                RowError(row, "jenis_asn", f"harus salah satu dari {', '.join(JENIS_ASN)}")
            )
            jenis = "PNS"
        nip = ""
        if isinstance(raw_nip, (int, float)) and not isinstance(raw_nip, bool):
            row_errors.append(
                RowError(
                    row,
                    "nip",
                    "NIP tersimpan sebagai angka di Excel sehingga digit "
                    "terakhir dapat hilang; format kolom sebagai Teks",
                )
            )
        elif "nip" not in too_long:
            try:
                nip = validate_nip(text["nip"], kind=jenis, today=today).number
            except InvalidNip as exc:
                row_errors.append(RowError(row, "nip", exc.message))
        if nip:
            if nip in seen_nips:
                row_errors.append(RowError(row, "nip", f"NIP sama dengan baris {seen_nips[nip]}"))
            else:
                seen_nips[nip] = row

        name = text["nama"]
        if not name and "nama" not in too_long:
            row_errors.append(RowError(row, "nama", "wajib diisi"))

        email = text["email"]
        if email:
            try:
                email = normalise_email(email)
            except Invalid:
                row_errors.append(RowError(row, "email", f"alamat email {email!r} tidak valid"))
                email = ""
        if email:
            if email in seen_emails:
                row_errors.append(
                    RowError(row, "email", f"email sama dengan baris {seen_emails[email]}")
                )
            else:
                seen_emails[email] = row

        golongan_raw = text["golongan"]
        golongan = normalise_golongan(golongan_raw, jenis_asn=jenis) if golongan_raw else None
        if golongan_raw and golongan is None:
            hint = "I–XVII" if jenis == "PPPK" else "I/a … IV/e"
            row_errors.append(
                RowError(
                    row, "golongan", f"golongan {golongan_raw!r} tidak valid untuk {jenis} ({hint})"
                )
            )

        jenis_jabatan = text["jenis_jabatan"].lower() or None
        if jenis_jabatan and jenis_jabatan not in JENIS_JABATAN:
            row_errors.append(
                RowError(row, "jenis_jabatan", f"harus salah satu dari {', '.join(JENIS_JABATAN)}")
            )

        jabatan = text["jabatan"]

        unit_code = text["kode_unit"] or None
        unit_name = text["nama_unit"] or None
        if unit_name and not unit_code and "kode_unit" not in too_long:
            row_errors.append(RowError(row, "kode_unit", "wajib diisi jika nama_unit diisi"))
        if unit_code:
            # The same rule as a unit made on the admin pages (code shape and length).
            problem = org.unit_problem(code=unit_code, name=unit_name or unit_code)
            if problem:
                row_errors.append(RowError(row, problem[0], problem[1]))

        if row_errors:
            errors.extend(row_errors)
            continue
        clean.append(
            CleanRow(
                row=row,
                nip=nip,
                values={
                    "nama": name,
                    "email": email or None,
                    "jenis_asn": jenis,
                    "golongan": golongan,
                    "jenis_jabatan": jenis_jabatan,
                    "jabatan": jabatan or None,
                },
                unit_code=unit_code,
                unit_name=unit_name,
            )
        )

    # Checks against what the database already holds.
    existing = repository.users_by_nip(session, [c.nip for c in clean])
    email_owner = repository.user_ids_by_email(
        session, [c.values["email"] for c in clean if c.values["email"]]
    )
    units = {u.code: u for u in org_repository.units_of(session, instansi.id)}
    new_units: set[str] = set()
    accepted: list[CleanRow] = []
    for item in clean:
        user = existing.get(item.nip)
        row_errors = []
        refusal = _may_update(user, instansi) if user is not None else None
        if refusal:
            row_errors.append(RowError(item.row, "nip", refusal))
        row_email = item.values["email"]
        if (
            row_email
            and row_email in email_owner
            and (user is None or email_owner[row_email] != user.id)
        ):
            row_errors.append(RowError(item.row, "email", "email sudah dipakai pegawai lain"))
        if item.unit_code and item.unit_code not in units and item.unit_code not in new_units:
            if not item.unit_name:
                row_errors.append(
                    RowError(
                        item.row,
                        "nama_unit",
                        f"unit {item.unit_code} belum ada; isi nama_unit untuk membuatnya",
                    )
                )
            else:
                new_units.add(item.unit_code)
        if row_errors:
            errors.extend(row_errors)
        else:
            accepted.append(item)
    errors.sort(key=lambda e: (e.row, e.field))
    return accepted, errors


def _apply(
    session: Session, *, rows: list[CleanRow], instansi: Instansi, report: ImportReport, write: bool
) -> None:
    existing = repository.users_by_nip(session, [r.nip for r in rows])
    units: dict[str, Unit] = {u.code: u for u in org_repository.units_of(session, instansi.id)}
    for item in rows:
        unit = units.get(item.unit_code) if item.unit_code else None
        if item.unit_code and unit is None:
            report.units_created += 1
            unit = Unit(
                instansi_id=instansi.id, code=item.unit_code, name=item.unit_name or item.unit_code
            )
            units[item.unit_code] = unit
            if write:
                session.add(unit)
                session.flush()
        user = existing.get(item.nip)
        if user is not None and _may_update(user, instansi):
            continue  # changed since it was validated (the job validates, then writes later)
        if user is None:
            report.created += 1
            if write:
                user = User(
                    nip=item.nip,
                    instansi_id=instansi.id,
                    is_active=True,
                    unit_id=unit.id if unit else None,
                    name=str(item.values["nama"]),
                )
                temporary = accounts.issue_first_login_code(user)
                _assign(user, item.values)
                user.roles.append(UserRole(role=Role.learner))
                session.add(user)
                report.accounts.append(NewAccount(item.row, item.nip, user.name, temporary))
            continue
        changed = (
            _differs(user, item.values)
            or (unit is not None and user.unit_id != unit.id)
            or user.instansi_id != instansi.id
        )
        if not changed:
            report.unchanged += 1
            continue
        report.updated += 1
        if write:
            _assign(user, item.values)
            user.instansi_id = instansi.id
            if unit is not None:
                user.unit_id = unit.id
    if write:
        session.flush()


def _assign(user: User, values: dict[str, str | None]) -> None:
    user.name = values["nama"] or user.name
    for key in ("jenis_asn", "golongan", "jenis_jabatan", "jabatan"):
        if values[key] is not None:
            setattr(user, key, values[key])
    if values["email"]:
        user.email = values["email"]


def _differs(user: User, values: dict[str, str | None]) -> bool:
    if values["nama"] != user.name:
        return True
    if values["email"] and values["email"] != (user.email or "").lower():
        return True
    current = {
        "jenis_asn": str(user.jenis_asn) if user.jenis_asn else None,
        "golongan": user.golongan,
        "jenis_jabatan": user.jenis_jabatan,
        "jabatan": user.jabatan,
    }
    return any(values[k] is not None and values[k] != current[k] for k in current)


def run_import(
    session: Session,
    *,
    data: bytes,
    filename: str,
    instansi: Instansi,
    actor: User | None,
    dry_run: bool,
) -> ImportReport:
    """Validate the file; unless `dry_run`, write every valid row in the caller's transaction."""
    settings = get_settings()
    if actor is not None:
        import_scope(actor, instansi)
    if len(data) > settings.import_max_bytes:
        raise Invalid(
            f"Berkas terlalu besar (maksimal {settings.import_max_bytes // (1024 * 1024)} MB)."
        )
    try:
        sheet = _read(data, filename)
    except UnreadableFile as exc:
        raise Invalid(str(exc)) from None
    rows, errors = _validate(session, sheet=sheet, instansi=instansi)
    report = ImportReport(
        dry_run=dry_run,
        total_rows=len(sheet.rows),
        errors=errors,
        bad_rows=_bad_rows_csv(sheet, errors),
    )
    _apply(session, rows=rows, instansi=instansi, report=report, write=not dry_run)
    if not dry_run:
        audit.record(
            session,
            actor=actor,
            action="people.import",
            object_type="instansi",
            object_id=instansi.code,
            instansi_id=instansi.id,
            detail={
                "file": filename[:100],
                "created": report.created,
                "updated": report.updated,
                "errors": len(errors),
            },
        )
    return report


def _read(data: bytes, filename: str) -> Sheet:
    settings = get_settings()
    return read_sheet(
        data,
        filename,
        max_rows=settings.import_max_rows,
        max_unpacked_bytes=settings.import_max_unpacked_bytes,
    )


def record_dry_run(
    session: Session,
    *,
    report: ImportReport,
    filename: str,
    instansi: Instansi,
    actor: User | None,
) -> None:
    """A preview shows HR who is already registered: it is audited like the import itself
    (counts only, no personal data)."""
    audit.record(
        session,
        actor=actor,
        action="people.import_preview",
        object_type="instansi",
        object_id=instansi.code,
        instansi_id=instansi.id,
        detail={
            "file": filename[:100],
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "errors": len(report.errors),
        },
    )


def save_batch(
    session: Session,
    *,
    data: bytes,
    filename: str,
    instansi: Instansi,
    actor: User | None,
    report: ImportReport,
) -> ImportBatch:
    """Keep a validated file until it is committed, with its bad rows for the errors download
    (so the download never parses the upload again); the preview is audited."""
    if actor is not None:
        import_scope(actor, instansi)
    batch = ImportBatch(
        instansi_id=instansi.id,
        uploaded_by_id=actor.id if actor else None,
        filename=filename[:255],
        data=data,
        bad_rows=report.bad_rows.encode("utf-8"),
        error_count=len(report.errors),
    )
    session.add(batch)
    session.flush()
    record_dry_run(session, report=report, filename=filename, instansi=instansi, actor=actor)
    return batch


IMPORT_CHUNK_ROWS = 250


def queue_commit(
    session: Session, *, batch: ImportBatch, actor: User | None, enqueue: bool = True
) -> Job:
    """Hand a previewed file to the worker; the person follows it on the job's page. (The
    CLI, which has no actor and writes in its own process, runs the job itself.)"""
    if actor is not None:
        import_scope(actor, batch.instansi)
    if batch.status != "preview":
        raise Conflict("Impor ini sudah disimpan atau sedang diproses.")
    batch.status = "queued"
    job = job_records.create(session, kind="people.import", owner=actor, subject_id=batch.id)
    if enqueue:
        from app.people import tasks

        jobs.after_commit(session, tasks.import_people, job.id)
    return job


def run_import_job(database: Database, *, job_id: int) -> None:
    """Write a queued import in chunks of IMPORT_CHUNK_ROWS rows, each its own short
    transaction, so the single SQLite writer is never held for long and progress shows.
    Safe to run again after a crash: rows are matched by NIP, so a chunk written twice
    changes nothing the second time."""
    if not job_records.claim(database, job_id):
        return
    try:
        with database.unit_of_work(write=False) as session:
            job = session.get(Job, job_id)
            assert job is not None and job.subject_id is not None
            batch = session.get(ImportBatch, job.subject_id)
            assert batch is not None
            batch_id, instansi_id, filename = batch.id, batch.instansi_id, batch.filename
            sheet = _read(batch.data, filename)
            rows, errors = _validate(session, sheet=sheet, instansi=batch.instansi)
        report = ImportReport(dry_run=False, total_rows=len(sheet.rows), errors=errors)
        for start in range(0, len(rows), IMPORT_CHUNK_ROWS):
            with database.unit_of_work() as session:
                instansi = session.get(Instansi, instansi_id)
                assert instansi is not None
                chunk = rows[start : start + IMPORT_CHUNK_ROWS]
                _apply(session, rows=chunk, instansi=instansi, report=report, write=True)
            job_records.progress(
                database, job_id, done=min(start + IMPORT_CHUNK_ROWS, len(rows)), total=len(rows)
            )
        with database.unit_of_work() as session:
            _record_committed(
                session,
                job_id=job_id,
                batch_id=batch_id,
                report=report,
                bad_rows=_bad_rows_csv(sheet, errors),
            )
    except (UnreadableFile, Invalid) as exc:
        job_records.finish(database, job_id, error=str(exc))
        return
    except Exception:
        job_records.finish(
            database, job_id, error="Impor gagal karena kesalahan sistem. Silakan coba lagi."
        )
        raise
    job_records.finish(database, job_id, result=_job_result(report, batch_id))


def _record_committed(
    session: Session, *, job_id: int, batch_id: int, report: ImportReport, bad_rows: str
) -> None:
    job = session.get(Job, job_id)
    batch = session.get(ImportBatch, batch_id)
    assert job is not None and batch is not None
    batch.status = "committed"
    batch.committed_at = clock.now()
    batch.created_count, batch.updated_count = report.created, report.updated
    batch.error_count = len(report.errors)
    # The uploaded file holds every row's personal data; once written, keep only the rows
    # the HR officer still has to fix (the errors download).
    batch.bad_rows = bad_rows.encode("utf-8")
    batch.data = b""
    actor = session.get(User, job.owner_id) if job.owner_id else None
    audit.record(
        session,
        actor=actor,
        action="people.import",
        object_type="instansi",
        object_id=batch.instansi.code,
        instansi_id=batch.instansi_id,
        detail={
            "file": batch.filename[:100],
            "created": report.created,
            "updated": report.updated,
            "errors": len(report.errors),
        },
    )


def _job_result(report: ImportReport, batch_id: int) -> dict[str, object]:
    return {
        "batch_id": batch_id,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "units_created": report.units_created,
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in report.errors],
        # First-login codes, shown to the HR officer who imported until she confirms she has
        # them (forget_codes); only their keyed hashes are kept on the accounts.
        "accounts": [
            {"row": a.row, "nip": a.nip, "name": a.name, "code": a.temporary_password}
            for a in report.accounts
        ],
    }


def forget_codes(session: Session, *, job: Job) -> None:
    if job.result.get("accounts"):
        job.result = {**job.result, "accounts": [], "codes_cleared": True}
        session.flush()


UPLOAD_RETENTION_DAYS = 30


def purge_old_uploads(session: Session, *, days: int = UPLOAD_RETENTION_DAYS) -> int:
    """Delete uploaded people files older than `days`: previews never committed, and what a
    committed import kept (the rows still to fix). Each holds NIPs, names and e-mail addresses;
    the import's audit entry keeps its counts. A file still queued for the worker stays."""
    from sqlalchemy import delete

    cutoff = clock.now() - timedelta(days=days)
    result = session.execute(
        delete(ImportBatch).where(ImportBatch.created_at < cutoff, ImportBatch.status != "queued")
    )
    session.flush()
    return int(getattr(result, "rowcount", 0) or 0)


def batch_for(session: Session, *, batch_id: int, actor: User) -> ImportBatch:
    from app.core.errors import NotFound

    batch = repository.batch(session, batch_id)
    if batch is None:
        raise NotFound("Impor tidak ditemukan.")
    if not actor.has_role("admin") and batch.uploaded_by_id != actor.id:
        raise NotFound("Impor tidak ditemukan.")
    import_scope(actor, batch.instansi)
    return batch


def _bad_rows_csv(sheet: Sheet, errors: list[RowError]) -> str:
    by_row: dict[int, list[str]] = {}
    for e in errors:
        if e.row > 1:
            by_row.setdefault(e.row, []).append(f"{e.field}: {e.message}")
    columns = [c for c in sheet.columns if c in KNOWN_COLUMNS]

    def cell(values: dict[str, object], column: str) -> str:
        # A value past its limit is cut to it: it is wrong anyway, and one long shared string
        # repeated in every row must not make the download huge.
        return _text(values.get(column))[: FIELD_MAX.get(column, MAX_CELL)]

    lines: list[list[object]] = [[*columns, "kesalahan"]]
    lines.extend(
        [*(cell(values, c) for c in columns), "; ".join(by_row[row])]
        for row, values in sheet.rows
        if row in by_row
    )
    return csv_text(lines)


def errors_csv(session: Session, *, batch: ImportBatch, actor: User) -> str:
    """The bad rows as they were uploaded, with a `kesalahan` column, ready to fix and re-upload.
    Kept with the batch when it was previewed (and replaced by the commit's own), so the
    download never parses the upload again."""
    if batch.bad_rows is not None:
        body = batch.bad_rows.decode("utf-8")
    elif batch.status == "committed":
        body = batch.data.decode("utf-8")  # committed before the bad rows had a column
    else:
        raise Conflict("Daftar baris salah untuk impor ini tidak tersedia; unggah ulang berkasnya.")
    rows = max(sum(1 for _ in csv.reader(io.StringIO(body), delimiter=";")) - 1, 0)
    audit.record(
        session,
        actor=actor,
        action="people.import_errors_export",
        object_type="import_batch",
        object_id=batch.id,
        instansi_id=batch.instansi_id,
        detail={"rows": rows},
    )
    return body
