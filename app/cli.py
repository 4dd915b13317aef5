"""The `cakap` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.config import get_settings
from app.core.db import Database

cli = typer.Typer(
    help="Cakap — LMS kompetensi digital ASN.", no_args_is_help=True, pretty_exceptions_enable=False
)
users_cli = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
people_cli = typer.Typer(help="Import ASN from CSV/XLSX.", no_args_is_help=True)
courses_cli = typer.Typer(help="Check and import course folders.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(people_cli, name="people")
cli.add_typer(courses_cli, name="courses")
certificates_cli = typer.Typer(help="Certificates.", no_args_is_help=True)
cli.add_typer(certificates_cli, name="certificates")
reminders_cli = typer.Typer(help="Reminders of mandatory training.", no_args_is_help=True)
cli.add_typer(reminders_cli, name="reminders")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _database() -> Database:
    return Database(get_settings().effective_database_url)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]Galat:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def migrate(url: str) -> None:
    from app.backup import schema

    schema.upgrade(url)


@cli.command()
def init(
    courses: Annotated[Path | None, typer.Option(help="Course folder to import")] = None,
) -> None:
    """Create or upgrade the database and import the shipped courses (idempotent)."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate(settings.effective_database_url)
    out.print("Basis data mutakhir.")
    from app.certificates import signing

    if settings.signing_key_path is None and not signing.key_path().exists():
        signing.create_development_signer(signing.key_path())
        out.print(
            f"Penanda tangan PENGEMBANGAN dibuat di {signing.key_path()} (bukan untuk produksi)."
        )
    _import_courses(courses or settings.courses_dir, command="cakap init")


def _import_courses(path: Path, *, command: str) -> None:
    import getpass

    from app.courses import service as courses

    db = _database()
    origin = {"via": command, "os_user": getpass.getuser()}
    try:
        with db.unit_of_work() as session:
            outcomes = courses.import_courses(session, path=path, origin=origin)
    except courses.CourseProblems as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        _fail(f"{len(exc.problems)} masalah; tidak ada kursus yang diimpor.")
        return
    finally:
        db.dispose()
    labels = {"created": "baru", "updated": "versi baru", "unchanged": "tidak berubah"}
    for o in outcomes:
        out.print(f"  {o.slug}: {labels[o.action]} (versi {o.version})", highlight=False)
        for warning in o.warnings:
            out.print(f"    peringatan: {warning}", highlight=False)


@cli.command()
def demo() -> None:
    """Load demonstration data (once) and print the demo logins."""
    from app.demo import DEMO_LOGINS, load_demo

    db = _database()
    out.print(
        "Memuat data demo (±30 detik: riwayat belajar dan sertifikat dibuat lewat layanan aslinya)…"
    )
    try:
        with db.unit_of_work() as session:
            created = load_demo(session)
        if created:
            # The demo's certificates were queued when their courses were completed; render
            # them now, with the worker's own code, so the demo starts complete.
            from app.jobs import queue
            from app.jobs import worker as jobs_worker

            jobs_worker.load_tasks()
            queue.use_database(db)
            queue.run_pending()
    finally:
        db.dispose()
    out.print("Data demo dimuat." if created else "Data demo sudah ada; tidak ada yang diubah.")
    table = Table(title=f"Akun demo ({get_settings().base_url.rstrip('/')}/login)")
    table.add_column("Peran")
    table.add_column("NIP / email")
    table.add_column("Kata sandi")
    for role, username, password in DEMO_LOGINS:
        table.add_row(role, username, password)
    out.print(table)


@cli.command()
def worker(
    threads: Annotated[int, typer.Option(min=1, help="Jobs run at once")] = 2,
    once: Annotated[bool, typer.Option(help="Run what is queued now, then exit")] = False,
) -> None:
    """Run background jobs (certificates, imports) until stopped."""
    from app.jobs import worker as jobs_worker

    ran = jobs_worker.run(threads=threads, once=once)
    if once:
        out.print(f"{ran} pekerjaan dijalankan.")


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    reload: Annotated[bool, typer.Option(help="Development only")] = False,
) -> None:
    """Run the web server."""
    import uvicorn

    if problem := get_settings().startup_problem():
        _fail(problem)
    if get_settings().is_sqlite and workers > 1:
        _fail(
            "SQLite dilayani oleh satu proses web (--workers 1). "
            "Gunakan PostgreSQL (CAKAP_DATABASE_URL) untuk beberapa proses."
        )

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        # The same proxies as the app's own address rule (app/core/client.py): uvicorn takes
        # the scheme and the client address from them, and from nobody else.
        proxy_headers=True,
        forwarded_allow_ips=get_settings().trusted_proxies,
        server_header=False,  # no product banner for a scanner to match against
        log_level="info",
        access_log=False,
        # Phones on a weak signal reuse connections slowly; closing idle ones after uvicorn's
        # default 5 s races with requests already on their way (seen in the exam spike).
        timeout_keep_alive=75,
    )


@users_cli.command("create")
def users_create(
    nip: Annotated[str | None, typer.Option(help="NIP or NI PPPK (18 digits)")] = None,
    name: Annotated[str, typer.Option(help="Full name with academic titles")] = "",
    password: Annotated[str, typer.Option(help="At least 10 characters")] = "",
    role: Annotated[
        list[str] | None, typer.Option(help="learner|trainer|hr|admin (repeatable)")
    ] = None,
    email: Annotated[str | None, typer.Option()] = None,
    instansi: Annotated[str | None, typer.Option(help="Instansi code")] = None,
    unit: Annotated[str | None, typer.Option(help="Unit code")] = None,
    jenis_asn: Annotated[str, typer.Option(help="PNS|CPNS|PPPK")] = "PNS",
) -> None:
    """Create an account; exits non-zero with the reason on bad input."""
    from app.accounts import service as accounts
    from app.core.errors import AppError
    from app.org import repository as org_repository
    from app.org import service as org

    if jenis_asn.upper() not in ("PNS", "CPNS", "PPPK"):
        _fail("jenis ASN harus PNS, CPNS, atau PPPK.")
    db = _database()
    try:
        with db.unit_of_work() as session:
            target = None
            if instansi:
                target = org.get_instansi(session, code=instansi)
            elif org_repository.all_instansi(session):
                target = org.default_instansi(session)
            unit_row = (
                org.unit_by_code(session, instansi=target, code=unit) if (unit and target) else None
            )
            if unit and target is None:
                raise AppError("unit kerja memerlukan instansi.")
            roles = [
                r.strip() for item in role or ["learner"] for r in item.split(",") if r.strip()
            ]
            user = accounts.create_user(
                session,
                nip=nip,
                name=name,
                password=password,
                roles=roles,
                email=email,
                instansi=target,
                unit=unit_row,
                jenis_asn=jenis_asn.upper(),
            )
            user_id = user.id
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    out.print(f"Akun dibuat (id {user_id}).")


@people_cli.command("import")
def people_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Validate only: no person is written (the run is audited)"),
    ] = False,
    instansi: Annotated[str | None, typer.Option(help="Instansi code")] = None,
) -> None:
    """Import ASN from CSV/XLSX with the same rules as the HR page.

    Exit 0: imported, 1: file rejected (nothing written), 2: some rows were skipped."""
    from app.core.errors import AppError
    from app.org import service as org
    from app.people import service as people

    db = _database()
    data = file.read_bytes()
    try:
        with db.unit_of_work(write=False) as session:
            target = (
                org.get_instansi(session, code=instansi)
                if instansi
                else org.default_instansi(session)
            )
            report = people.run_import(
                session, data=data, filename=file.name, instansi=target, actor=None, dry_run=True
            )
        codes: list[dict[str, object]] = []
        if dry_run:
            with db.unit_of_work() as session:
                people.record_dry_run(
                    session,
                    report=report,
                    filename=file.name,
                    instansi=org.get_instansi(session, code=target.code),
                    actor=None,
                )
        else:
            # The same chunked writer as the background job, run here: short transactions,
            # so a server on the same SQLite file keeps serving while a large file imports.
            with db.unit_of_work() as session:
                batch = people.save_batch(
                    session,
                    data=data,
                    filename=file.name,
                    instansi=org.get_instansi(session, code=target.code),
                    actor=None,
                    report=report,
                )
                job_id = people.queue_commit(session, batch=batch, actor=None, enqueue=False).id
            people.run_import_job(db, job_id=job_id)
            with db.unit_of_work(write=False) as session:
                from app.models import Job

                job = session.get(Job, job_id)
                assert job is not None
                if job.status != "done":
                    _fail(job.message or "Impor gagal.")
                report.created = int(job.result.get("created", 0))
                report.updated = int(job.result.get("updated", 0))
                report.unchanged = int(job.result.get("unchanged", 0))
                codes = list(job.result.get("accounts", []))
            with db.unit_of_work() as session:
                job = session.get(Job, job_id)
                assert job is not None
                people.forget_codes(session, job=job)  # printed below, kept nowhere
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    verb = "akan dibuat" if dry_run else "dibuat"
    out.print(
        f"{report.total_rows} baris: {report.created} {verb}, {report.updated} diperbarui, "
        f"{report.unchanged} tanpa perubahan, {len(report.errors)} kesalahan.",
        highlight=False,
    )
    if report.errors:
        table = Table(title="Kesalahan")
        for col in ("Baris", "Kolom", "Masalah"):
            table.add_column(col)
        for e in report.errors:
            table.add_row(str(e.row), e.field, e.message)
        out.print(table)
    if codes:
        table = Table(title="Kode masuk pertama akun baru (wajib diganti saat pertama masuk)")
        for col in ("Baris", "NIP", "Kode masuk pertama"):
            table.add_column(col)
        for a in codes:
            table.add_row(str(a["row"]), str(a["nip"]), str(a["code"]))
        out.print(table)
    if report.errors:
        raise typer.Exit(2)


@courses_cli.command("check")
def courses_check(path: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Validate course folders; every problem is printed as path:line: message.

    Errors fail the check; warnings (e.g. an objective that no pre- or post-test question
    measures) are listed after them and do not."""
    from app.courses import service as courses

    target = path or get_settings().courses_dir
    report = courses.check(target)
    for problem in report.errors:
        typer.echo(str(problem))
    if report.warnings:
        typer.echo(f"Peringatan ({len(report.warnings)}; tidak menggagalkan pemeriksaan):")
        for warning in report.warnings:
            typer.echo(f"{warning}")
    if report.errors:
        _fail(f"{len(report.errors)} masalah ditemukan.")
    valid = ", ".join(c.slug for c in report.courses)
    out.print(f"{len(report.courses)} kursus valid: {valid}", highlight=False)


@courses_cli.command("import")
def courses_import(path: Annotated[Path | None, typer.Argument()] = None) -> None:
    """Import course folders: all or nothing; unchanged courses are left as they are. Audited
    with the operating-system account that ran it."""
    _import_courses(path or get_settings().courses_dir, command="cakap courses import")


@courses_cli.command("export")
def courses_export(
    slug: Annotated[str, typer.Argument(help="Course slug")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The zip to write")],
) -> None:
    """Write a course's published version as a zip of its files (one <slug>/ folder); importing
    it back gives the same version. Audited with the operating-system account that ran it."""
    import getpass

    from app.audit import service as audit
    from app.authoring import service as authoring
    from app.core.errors import AppError
    from app.courses import repository as courses_repository

    db = _database()
    try:
        with db.unit_of_work(write=False) as session:
            course = courses_repository.course_by_slug(session, slug.strip())
            if course is None or course.current_version_id is None:
                _fail(f"Kursus {slug!r} tidak ditemukan.")
                return
            export = authoring.build_export(session, course=course)
        output.write_bytes(export.data)
        with db.unit_of_work() as session:
            audit.record(
                session,
                actor=None,
                action="course.exported",
                object_type="course",
                object_id=export.slug,
                detail={
                    "version": export.version,
                    "bytes": len(export.data),
                    "via": "cli",
                    "os_user": getpass.getuser(),
                    "file": str(output),
                },
            )
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    out.print(
        f"{export.slug} versi {export.version} ditulis ke {output} ({len(export.data)} bita).",
        highlight=False,
    )


@courses_cli.command("assign-trainer")
def courses_assign_trainer(
    slug: Annotated[str, typer.Argument(help="Course slug")],
    nip: Annotated[str, typer.Argument(help="NIP of a person holding the trainer role")],
    remove: Annotated[bool, typer.Option("--remove", help="Remove instead of assign")] = False,
) -> None:
    """Assign a trainer to a course (besides `trainers` in course.yaml), or remove one.
    Audited with no actor (the system), as other CLI commands are."""
    from app.core.errors import AppError
    from app.courses import teaching

    db = _database()
    try:
        with db.unit_of_work() as session:
            course, user = teaching.course_and_trainer(session, slug=slug, nip=nip)
            changed = teaching.assign_trainer(
                session, course=course, user=user, actor=None, remove=remove
            )
            name = user.name
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    if remove:
        message = "dilepas dari" if changed else "memang bukan pengajar"
    else:
        message = "ditetapkan sebagai pengajar" if changed else "sudah menjadi pengajar"
    out.print(f"{name} {message} kursus {slug}.", highlight=False)


@certificates_cli.command("revoke")
def certificates_revoke(
    number_or_code: Annotated[str, typer.Argument(help="Certificate number or verification code")],
    reason: Annotated[str, typer.Option(help="Why it is revoked (shown on the verification page)")],
) -> None:
    """Revoke a certificate; its verification page shows it as revoked, with the reason."""
    from app.certificates import service as certificates
    from app.completion import service as completion
    from app.core.errors import AppError

    db = _database()
    try:
        with db.unit_of_work() as session:
            cert = certificates.find(session, number_or_code=number_or_code)
            completion.revoke_certificate(session, certificate=cert, reason=reason, actor=None)
            number = cert.number
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    out.print(f"Sertifikat {number} dicabut.", highlight=False)


@certificates_cli.command("reissue")
def certificates_reissue(
    course: Annotated[str, typer.Option(help="Course code, e.g. SGOV")],
    year: Annotated[int | None, typer.Option(help="Only certificates of this year")] = None,
    reason: Annotated[
        str, typer.Option(help="Why they are reissued (kept in the history)")
    ] = "Penerbitan ulang",
    processes: Annotated[int, typer.Option(min=0, help="Render processes (0: every core)")] = 0,
) -> None:
    """Render and sign a course's certificates again, keeping the old files as history."""
    import os

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from app.certificates.batch import reissue_course
    from app.certificates.service import reissue_reason
    from app.core.errors import AppError

    try:
        reason = reissue_reason(reason)  # before minutes of rendering, not after
    except AppError as exc:
        _fail(exc.message)
        return
    db = _database()
    workers = processes or os.cpu_count() or 1
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=out,
        ) as bar:
            task = bar.add_task(f"Menerbitkan ulang {course}", total=None)
            count = reissue_course(
                db,
                course_code=course.upper(),
                year=year,
                reason=reason,
                processes=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except AppError as exc:
        _fail(exc.message)
        return
    finally:
        db.dispose()
    out.print(f"{count} sertifikat diterbitkan ulang dengan {workers} proses.", highlight=False)


@reminders_cli.command("send")
def reminders_send(
    today: Annotated[
        str | None,
        typer.Option(help="Act as if today were YYYY-MM-DD (default: each instansi's own today)"),
    ] = None,
) -> None:
    """Send the assignment reminders due today and the weekly HR digests. Safe to run again,
    and on several nodes at once: each reminder goes out once."""
    from datetime import date

    from app.assignments import reminders

    day = None
    if today:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            _fail("--today harus berformat TTTT-BB-HH, misalnya 2026-11-27.")
    db = _database()
    try:
        sent = reminders.send(db, today=day)
    finally:
        db.dispose()
    out.print(
        f"Pengingat: {sent.emails} email, {sent.notices} pemberitahuan, "
        f"{sent.digests} ringkasan HR.",
        highlight=False,
    )


def _passphrase(passphrase_file: Path | None) -> str:
    """--passphrase-file (its first line), else CAKAP_BACKUP_PASSPHRASE; empty when neither."""
    if passphrase_file is not None:
        try:
            lines = passphrase_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            _fail(f"berkas frasa sandi tidak terbaca: {exc.strerror}.")
        return lines[0] if lines else ""
    return get_settings().backup_passphrase


def _progress_bar() -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


@cli.command()
def backup(
    output: Annotated[Path, typer.Option("--output", "-o", help="The backup file to write")],
    passphrase_file: Annotated[
        Path | None,
        typer.Option(help="File whose first line is the passphrase (else CAKAP_BACKUP_PASSPHRASE)"),
    ] = None,
    plain: Annotated[
        bool, typer.Option("--plain", help="Do not encrypt (the file holds every NIP)")
    ] = False,
    with_signing_key: Annotated[
        bool, typer.Option("--with-signing-key", help="Include the certificate signing key")
    ] = False,
) -> None:
    """A consistent copy of the database and the files a restore needs, taken while serving."""
    from app.backup import service as backups
    from app.backup.crypto import BackupCryptoError, check_passphrase
    from app.backup.dump import BackupError, create_backup

    passphrase: str | None = None
    if not plain:
        passphrase = _passphrase(passphrase_file)
        try:
            check_passphrase(passphrase)
        except BackupCryptoError:
            _fail(
                "frasa sandi kosong. Berikan --passphrase-file atau CAKAP_BACKUP_PASSPHRASE, "
                "atau --plain untuk cadangan tanpa enkripsi (memuat semua NIP)."
            )
    db = _database()
    try:
        with _progress_bar() as bar:
            task = bar.add_task("Mencadangkan", total=None)
            result = create_backup(
                url=db.url,
                output=output,
                passphrase=passphrase,
                with_signing_key=with_signing_key,
                progress=lambda what, done, total: bar.update(
                    task, description=what, completed=done, total=total
                ),
            )
        with db.unit_of_work() as session:
            backups.record_backup(session, result=result, scheduled=False)
    except BackupError as exc:
        _fail(str(exc))
        return
    finally:
        db.dispose()
    rows = sum(result.rows.values())
    kind = "terenkripsi" if result.encrypted else "TANPA ENKRIPSI"
    out.print(
        f"Cadangan {kind} ditulis ke {result.path} ({_size(result.size)}, {rows} baris dari "
        f"{len(result.rows)} tabel, revisi skema {result.revision}"
        f"{', dengan kunci penanda tangan' if result.files else ''}).",
        highlight=False,
    )


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(help="The backup file", dir_okay=False)],
    passphrase_file: Annotated[
        Path | None,
        typer.Option(help="File whose first line is the passphrase (else CAKAP_BACKUP_PASSPHRASE)"),
    ] = None,
) -> None:
    """Restore a backup into an EMPTY database (CAKAP_DATABASE_URL), SQLite or PostgreSQL;
    the schema is created when the database has none. All or nothing."""
    from app.backup.restore import RestoreRefused, restore_backup

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    passphrase = _passphrase(passphrase_file)
    try:
        with _progress_bar() as bar:
            task = bar.add_task("Memulihkan", total=None)
            result = restore_backup(
                url=settings.effective_database_url,
                source=file,
                passphrase=passphrase or None,
                progress=lambda what, done, total: bar.update(
                    task, description=what, completed=done, total=total
                ),
            )
    except RestoreRefused as exc:
        _fail(f"pemulihan ditolak: {exc}")
        return
    rows = sum(result.rows.values())
    out.print(
        f"Dipulihkan: {rows} baris dari {len(result.rows)} tabel (cadangan {result.source}, "
        f"{result.created_at:%Y-%m-%d %H:%M} UTC, revisi {result.revision}).",
        highlight=False,
    )
    if result.signing_key is not None:
        out.print(f"Kunci penanda tangan dipulihkan ke {result.signing_key}.", highlight=False)


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
