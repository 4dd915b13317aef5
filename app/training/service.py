"""External training: recorded by the learner with its certificate, verified by HR of her
instansi; only verified entries count in the JP ledger."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts
from app.audit import service as audit
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import is_ascii_digits
from app.models import ExternalTraining, JpEntry, User

MAX_PDF_BYTES = 2 * 1024 * 1024
MAX_JP = 200


@dataclass
class ExternalIn:
    title: str
    organiser: str
    start_date: str
    end_date: str
    jp: str


def _parse_date(value: str, label: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{label} tidak valid (gunakan format tanggal).") from None


def check_pdf(data: bytes) -> None:
    """A real PDF file of a sensible size: the PDF header and an end-of-file marker."""
    if not data:
        raise Invalid("Unggah sertifikat dalam bentuk PDF.")
    if len(data) > MAX_PDF_BYTES:
        raise Invalid("Berkas sertifikat maksimal 2 MB.")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise Invalid("Berkas bukan PDF yang utuh. Unggah sertifikat asli dalam format PDF.")


def record(
    session: Session, *, user: User, form: ExternalIn, filename: str, data: bytes
) -> ExternalTraining:
    title, organiser = form.title.strip(), form.organiser.strip()
    if len(title) < 3:
        raise Invalid("Nama pelatihan wajib diisi.")
    if len(organiser) < 3:
        raise Invalid("Penyelenggara wajib diisi.")
    start = _parse_date(form.start_date, "Tanggal mulai")
    end = _parse_date(form.end_date, "Tanggal selesai")
    if end < start:
        raise Invalid("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    if end > clock.local_today():
        raise Invalid("Pelatihan yang belum selesai belum dapat dicatat.")
    jp = form.jp.strip()
    if not is_ascii_digits(jp) or len(jp) > 3 or not 1 <= int(jp) <= MAX_JP:
        raise Invalid(f"JP berupa bilangan bulat 1–{MAX_JP}.")
    check_pdf(data)
    row = ExternalTraining(
        user_id=user.id,
        title=title[:250],
        organiser=organiser[:250],
        start_date=start,
        end_date=end,
        jp=int(jp),
        certificate=data,
        certificate_sha256=hashlib.sha256(data).hexdigest(),
        filename=(filename or "sertifikat.pdf")[:255],
        status="pending",
    )
    session.add(row)
    session.flush()
    return row


def of_user(session: Session, *, user: User) -> list[ExternalTraining]:
    stmt = (
        select(ExternalTraining)
        .where(ExternalTraining.user_id == user.id)
        .order_by(ExternalTraining.end_date.desc())
    )
    return list(session.scalars(stmt))


def pending_for_hr(session: Session, *, hr: User) -> list[ExternalTraining]:
    stmt = (
        select(ExternalTraining)
        .join(User, ExternalTraining.user_id == User.id)
        .options(joinedload(ExternalTraining.user).joinedload(User.unit))
        .where(ExternalTraining.status == "pending")
        .order_by(ExternalTraining.submitted_at)
    )
    if not hr.has_role("admin"):
        scope = accounts.hr_instansi_id(hr)
        if scope is None:
            return []  # an HR officer without an instansi sees nobody
        stmt = stmt.where(User.instansi_id == scope)
    return list(session.scalars(stmt))


def get_for(session: Session, *, training_id: int, viewer: User) -> ExternalTraining:
    """The owner, HR of the owner's instansi, and admins may see an entry; others get 404."""
    row = session.get(ExternalTraining, training_id)
    if row is None:
        raise NotFound("Data pelatihan tidak ditemukan.")
    if accounts.may_see_records_of(viewer, row.user):
        return row
    raise NotFound("Data pelatihan tidak ditemukan.")


def review(
    session: Session, *, training: ExternalTraining, hr: User, approve: bool, note: str = ""
) -> None:
    if training.user_id == hr.id:
        raise Forbidden("Anda tidak dapat memverifikasi pelatihan Anda sendiri.")
    if not hr.has_role("hr", "admin"):
        raise Forbidden()
    if training.status != "pending":
        raise Conflict("Data ini sudah diperiksa.")
    if not approve and len(note.strip()) < 5:
        raise Invalid("Tuliskan alasan penolakan agar pegawai dapat memperbaikinya.")
    training.status = "verified" if approve else "rejected"
    training.reviewed_by_id = hr.id
    training.reviewed_at = clock.now()
    training.review_note = note.strip()[:500] or None
    if approve:
        session.add(
            JpEntry(
                user_id=training.user_id,
                year=training.end_date.year,
                jp=training.jp,
                source="external",
                title=training.title,
                earned_on=training.end_date,
                external_id=training.id,
            )
        )
    session.flush()
    audit.record(
        session,
        actor=hr,
        action="external.verify" if approve else "external.reject",
        object_type="external_training",
        object_id=training.id,
        instansi_id=training.user.instansi_id,
        detail={"jp": training.jp},
    )
