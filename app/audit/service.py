"""The audit log: privileged actions, logins, exports and reads of personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain
from typing import Any

from sqlalchemy.orm import Session

from app.audit import repository
from app.core import client, clock
from app.core.csv_export import csv_text
from app.models import AuditEvent, User


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: object = None,
    instansi_id: int | None = None,
    detail: dict[str, Any] | None = None,
    address: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.id if actor else actor_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        instansi_id=instansi_id,
        detail=detail or {},
        # The request's client address when called while serving one (None in jobs and CLI).
        address=address if address is not None else client.current_address(),
    )
    session.add(event)
    session.flush()
    return event


# What each action means, as an administrator reads it.
ACTION_LABELS = {
    "personal_data.export": "Mengunduh data pribadinya sendiri",
    "login": "Masuk",
    "login.failed": "Gagal masuk",
    "login.locked": "Akun dikunci sementara (terlalu banyak gagal masuk)",
    "logout": "Keluar",
    "password.change": "Mengganti kata sandi",
    "password.reset_request": "Meminta tautan atur ulang kata sandi lewat email",
    "password.reset": "Mengatur ulang kata sandi lewat tautan email",
    "privacy.accept": "Menyetujui pemberitahuan privasi",
    "token.create": "Membuat token API pribadi",
    "token.revoke": "Mencabut token API pribadi",
    "user.create": "Membuat akun",
    "course.trainers": "Menyelaraskan pengajar kursus dengan course.yaml",
    "course.trainer_assigned": "Menetapkan pengajar kursus",
    "course.trainer_removed": "Melepas pengajar kursus",
    "run.create": "Membuat angkatan pelatihan",
    "run.enrol": "Mendaftarkan pegawai ke angkatan",
    "run.trainer_add": "Menambahkan pengajar angkatan",
    "run.trainer_remove": "Menghapus pengajar angkatan",
    "run.message": "Mengirim pesan pengajar kepada peserta angkatan",
    "attempt.allowance": "Memberi tambahan kesempatan atau waktu tes",
    "user.roles": "Mengubah peran",
    "user.activate": "Mengaktifkan akun",
    "user.deactivate": "Menonaktifkan akun",
    "user.reset_password": "Mengatur ulang kata sandi",
    "person.view": "Melihat data pribadi pegawai",
    "person.employment": "Mengubah data kepegawaian",
    "person.unit": "Memindahkan pegawai ke unit kerja lain",
    "person.retire": "Mencatat pegawai pensiun",
    "person.unretire": "Membatalkan status pensiun",
    "person.transfer": "Memindahkan pegawai ke instansi lain (mutasi)",
    "user.hr_unit": "Mengubah lingkup unit peran BKPSDM",
    "instansi.create": "Menambah instansi",
    "unit.create": "Menambah unit kerja",
    "people.import": "Mengimpor data pegawai",
    "people.import_errors_export": "Mengunduh baris impor yang salah",
    "course.created": "Mengimpor kursus baru",
    "course.updated": "Memperbarui kursus (versi baru)",
    "certificate.download": "Mengunduh sertifikat milik pegawai",
    "certificate.revoke": "Mencabut sertifikat",
    "certificate.reissue": "Menerbitkan ulang sertifikat",
    "settings.issuer": "Mengubah penerbit dan penanda tangan sertifikat",
    "external.verify": "Memverifikasi pelatihan di luar Cakap",
    "external.reject": "Menolak pelatihan di luar Cakap",
    "external.adjust_jp": "Menyesuaikan JP pelatihan di luar Cakap",
    "external.certificate_download": "Mengunduh sertifikat pelatihan di luar Cakap",
    "audit.export": "Mengekspor log audit",
    "report.jp_export": "Mengekspor rekap 20 JP",
    "report.completion_export": "Mengekspor laporan penyelesaian kursus",
    "report.siasn_export": "Mengekspor data SIASN",
}

OBJECT_LABELS = {
    "user": "Pengguna",
    "certificate": "Sertifikat",
    "external_training": "Pelatihan luar",
    "instansi": "Instansi",
    "unit": "Unit kerja",
    "course": "Kursus",
    "import_batch": "Impor",
    "api_token": "Token",
    "settings": "Pengaturan",
    "report": "Laporan",
}

DETAIL_LABELS = {
    "reason": "alasan",
    "jp": "JP",
    "jp_claimed": "JP diajukan",
    "jp_withdrawn": "JP ditarik",
    "from": "dari",
    "to": "menjadi",
    "over_daily_limit": "melebihi 10 JP/hari",
    "holder": "pemilik",
    "added": "ditambah",
    "removed": "dicabut",
    "created": "dibuat",
    "updated": "diperbarui",
    "errors": "salah",
    "rows": "baris",
    "version": "versi",
    "revision": "revisi",
    "file": "berkas",
    "filter": "saringan",
    "notice": "versi pemberitahuan",
    "format": "format",
}


def record_personal_read(
    session: Session,
    *,
    viewer: User,
    holder: User,
    action: str,
    object_type: str,
    object_id: object,
) -> None:
    """Someone opening another person's personal data (HR, an admin) is audited, naming whose
    it is; the person reading her own is not."""
    if viewer.id == holder.id:
        return
    record(
        session,
        actor=viewer,
        action=action,
        object_type=object_type,
        object_id=object_id,
        instansi_id=holder.instansi_id,
        detail={"holder": holder.id},
    )


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


@dataclass(frozen=True)
class EventView:
    """One line of the log as people read it: names instead of ids, words instead of codes."""

    at: datetime
    actor: str
    action: str
    action_code: str
    object: str
    detail: str
    address: str


def _value(value: Any, names: dict[int, str], key: str) -> str:
    if key == "holder" and isinstance(value, int):
        return names.get(value, f"#{value}")
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v)
    return str(value)


def views(session: Session, events: Sequence[AuditEvent]) -> list[EventView]:
    """Readable lines for a page of events; the people they name are loaded in one query."""
    ids: set[int] = set()
    for e in events:
        if e.object_type == "user" and e.object_id and e.object_id.isdigit():
            ids.add(int(e.object_id))
        holder = (e.detail or {}).get("holder")
        if isinstance(holder, int):
            ids.add(holder)
    names = repository.user_names(session, ids)
    out = []
    for e in events:
        if e.actor is not None:
            actor = e.actor.name
        elif e.action == "login.failed":
            actor = "tidak dikenal"
        else:
            actor = "sistem"
        if e.object_type == "user" and e.object_id == str(e.actor_id):
            obj = ""  # her own account: the actor column says it
        elif e.object_type == "user" and e.object_id and e.object_id.isdigit():
            obj = names.get(int(e.object_id), f"pengguna #{e.object_id} (dihapus)")
        elif e.object_type:
            label = OBJECT_LABELS.get(e.object_type, e.object_type)
            obj = f"{label} {e.object_id or ''}".strip()
        else:
            obj = ""
        detail = "; ".join(
            f"{DETAIL_LABELS.get(k, k)}: {_value(v, names, k)}"
            for k, v in (e.detail or {}).items()
            if k != "hash"
        )
        out.append(
            EventView(e.at, actor, action_label(e.action), e.action, obj, detail, e.address or "")
        )
    return out


def parse_filter(
    *, action: str | None, actor: str | None, since: str | None, until: str | None
) -> repository.Filter:
    """Filter from the page's query: dates are days in WIB, both ends included. A date that
    does not parse is ignored (the form shows it empty again)."""

    def day(value: str | None) -> date | None:
        try:
            return date.fromisoformat((value or "").strip()) if value else None
        except ValueError:
            return None

    start, end = day(since), day(until)
    return repository.Filter(
        action=(action or "").strip()[:60] or None,
        actor=(actor or "").strip()[:100] or None,
        since=datetime.combine(start, time(), clock.WIB) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), clock.WIB) if end else None,
    )


EXPORT_LIMIT = 100_000


def export_csv(session: Session, *, filter: repository.Filter, actor: User) -> bytes:
    """The filtered log as CSV (UTF-8 with a BOM, formula-safe cells). The export is itself
    audited, with its filter, before the rows are read, so it lists itself."""
    record(
        session,
        actor=actor,
        action="audit.export",
        detail={
            "filter": {
                "action": filter.action,
                "actor": filter.actor,
                "since": filter.since.date().isoformat() if filter.since else None,
                "until": (filter.until - timedelta(days=1)).date().isoformat()
                if filter.until
                else None,
            }
        },
    )
    lines = views(session, repository.rows(session, filter=filter, limit=EXPORT_LIMIT))
    header = ["waktu (WIB)", "pelaku", "tindakan", "kode tindakan", "objek", "rincian", "alamat"]
    # `;`-separated like every other export: what Excel expects where the decimal mark is a comma.
    rows = (
        [
            v.at.astimezone(clock.WIB).strftime("%Y-%m-%d %H:%M:%S"),
            v.actor,
            v.action,
            v.action_code,
            v.object,
            v.detail,
            v.address,
        ]
        for v in lines
    )
    return csv_text(chain([header], rows)).encode("utf-8")
