"""External training: recorded by the learner with its certificate, verified by HR of her
instansi; only verified entries count in the JP ledger."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts
from app.audit import service as audit
from app.certificates import service as certificates
from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import is_ascii_digits
from app.models import ExternalTraining, JpEntry, User

MAX_PDF_BYTES = 2 * 1024 * 1024
MAX_JP = 200
JP_PER_DAY = 10  # PRODUCT.md §2: a day of training yields at most 10 JP unless HR overrides


@dataclass
class ExternalIn:
    title: str
    organiser: str
    start_date: str
    end_date: str
    jp: str
    certificate_number: str = ""


@dataclass(frozen=True)
class Evidence:
    """An uploaded certificate file, read and checked before the write transaction (the
    signature check parses the PDF)."""

    data: bytes
    filename: str
    sha256: str
    issued_by_cakap: bool


def read_evidence(session: Session, *, data: bytes, filename: str) -> Evidence:
    small_pdf = data.startswith(b"%PDF-") and len(data) <= MAX_PDF_BYTES
    return Evidence(
        data=data,
        filename=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        issued_by_cakap=small_pdf and certificates.issued_by_cakap(session, data=data),
    )


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def number_key(number: str, organiser: str) -> str:
    """What makes two entries the same certificate: its number from the same organiser,
    compared without regard to case or spacing."""
    return f"{_key(number)}|{_key(organiser)}"[:400]


def _whole_number(value: str, label: str) -> int:
    value = value.strip()
    if not is_ascii_digits(value) or len(value) > 3 or not 1 <= int(value) <= MAX_JP:
        raise Invalid(f"{label} berupa bilangan bulat 1–{MAX_JP}.")
    return int(value)


def jp_cap(start: date, end: date) -> int:
    return JP_PER_DAY * ((end - start).days + 1)


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
    session: Session, *, user: User, form: ExternalIn, evidence: Evidence
) -> ExternalTraining:
    title, organiser = form.title.strip(), form.organiser.strip()
    number = form.certificate_number.strip()
    if len(title) < 3:
        raise Invalid("Nama pelatihan wajib diisi.")
    if len(organiser) < 3:
        raise Invalid("Penyelenggara wajib diisi.")
    if not 1 <= len(number) <= 100:
        raise Invalid("Nomor sertifikat wajib diisi (maksimal 100 karakter).")
    start = _parse_date(form.start_date, "Tanggal mulai")
    end = _parse_date(form.end_date, "Tanggal selesai")
    if end < start:
        raise Invalid("Tanggal selesai tidak boleh sebelum tanggal mulai.")
    if end > clock.local_today():
        raise Invalid("Pelatihan yang belum selesai belum dapat dicatat.")
    jp = _whole_number(form.jp, "JP")
    cap = jp_cap(start, end)
    if jp > cap:
        raise Invalid(
            f"Pelatihan {(end - start).days + 1} hari paling banyak {cap} JP "
            f"({JP_PER_DAY} JP per hari). Periksa tanggal dan JP pada sertifikat; bila memang "
            "lebih, ajukan sesuai batas dan minta BKPSDM menyesuaikannya dengan alasan."
        )
    check_pdf(evidence.data)
    if evidence.issued_by_cakap:
        raise Invalid(
            "Berkas ini adalah sertifikat yang diterbitkan Cakap; JP-nya sudah tercatat "
            "otomatis. Catat di sini hanya pelatihan di luar Cakap."
        )
    key = number_key(number, organiser)
    if _same_evidence(session, user_id=user.id, sha256=evidence.sha256, key=key):
        raise Conflict(DUPLICATE)
    row = ExternalTraining(
        user_id=user.id,
        title=title[:250],
        organiser=organiser[:250],
        certificate_number=number,
        number_key=key,
        start_date=start,
        end_date=end,
        jp=jp,
        certificate=evidence.data,
        certificate_sha256=evidence.sha256,
        filename=(evidence.filename or "sertifikat.pdf")[:255],
        status="pending",
    )
    try:
        with session.begin_nested():  # a parallel entry of the same evidence: the index says no
            session.add(row)
    except IntegrityError:
        raise Conflict(DUPLICATE) from None
    return row


DUPLICATE = (
    "Sertifikat ini sudah pernah Anda catat (berkas yang sama, atau nomor sertifikat yang sama "
    "dari penyelenggara yang sama). Satu bukti hanya dihitung sekali."
)


def _same_evidence(session: Session, *, user_id: int, sha256: str, key: str) -> bool:
    stmt = (
        select(ExternalTraining.id)
        .where(
            ExternalTraining.user_id == user_id,
            ExternalTraining.status != "rejected",
            (ExternalTraining.certificate_sha256 == sha256) | (ExternalTraining.number_key == key),
        )
        .limit(1)
    )
    return session.scalar(stmt) is not None


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
    stmt = stmt.where(accounts.scope_of(session, hr).people())
    return list(session.scalars(stmt))


def get_for(session: Session, *, training_id: int, viewer: User) -> ExternalTraining:
    """The owner, HR of the owner's instansi, and admins may see an entry; others get 404."""
    row = session.get(ExternalTraining, training_id)
    if row is None:
        raise NotFound("Data pelatihan tidak ditemukan.")
    if accounts.may_see_records_of(session, viewer, row.user):
        return row
    raise NotFound("Data pelatihan tidak ditemukan.")


def record_certificate_download(
    session: Session, *, training: ExternalTraining, viewer: User
) -> None:
    """An uploaded certificate is personal data: a download by HR or an admin is audited."""
    audit.record_personal_read(
        session,
        viewer=viewer,
        holder=training.user,
        action="external.certificate_download",
        object_type="external_training",
        object_id=training.id,
    )


def review(
    session: Session,
    *,
    training: ExternalTraining,
    hr: User,
    approve: bool,
    note: str = "",
    jp: str = "",
) -> None:
    """Verify (its JP enter the ledger) or reject (with a reason). HR may set the JP that count
    (`jp`), with a reason when it differs from the claim; above 10 JP per day of the training's
    dates only with a reason (the override). Both are audited."""
    if training.user_id == hr.id:
        raise Forbidden("Anda tidak dapat memverifikasi pelatihan Anda sendiri.")
    if not hr.has_role("hr", "admin"):
        raise Forbidden()
    if training.status != "pending":
        raise Conflict("Data ini sudah diperiksa.")
    note = note.strip()
    if not approve and len(note) < 5:
        raise Invalid("Tuliskan alasan penolakan agar pegawai dapat memperbaikinya.")
    approved = training.jp
    if approve:
        approved = _whole_number(jp, "JP diakui") if jp.strip() else training.jp
        _check_adjustment(training, approved=approved, reason=note)
    training.status = "verified" if approve else "rejected"
    training.reviewed_by_id = hr.id
    training.reviewed_at = clock.now()
    training.review_note = note[:500] or None
    if approve:
        if approved != training.jp:
            training.jp_approved = approved
            training.jp_reason = note[:500]
        session.add(
            JpEntry(
                user_id=training.user_id,
                year=training.end_date.year,
                jp=approved,
                source="external",
                title=training.title,
                earned_on=training.end_date,
                external_id=training.id,
            )
        )
    session.flush()
    detail: dict[str, object] = {"jp": approved}
    if approve and approved != training.jp:
        detail |= {"jp_claimed": training.jp, "reason": note[:200]}
    if approve and approved > jp_cap(training.start_date, training.end_date):
        detail["over_daily_limit"] = True
    audit.record(
        session,
        actor=hr,
        action="external.verify" if approve else "external.reject",
        object_type="external_training",
        object_id=training.id,
        instansi_id=training.user.instansi_id,
        detail=detail,
    )


def _check_adjustment(training: ExternalTraining, *, approved: int, reason: str) -> None:
    cap = jp_cap(training.start_date, training.end_date)
    if approved > cap and len(reason) < 5:
        raise Invalid(
            f"{approved} JP melebihi {JP_PER_DAY} JP per hari ({cap} JP untuk "
            f"{training.days} hari). Tuliskan alasannya bila tetap diakui."
        )
    if approved != training.jp_counted and len(reason) < 5:
        raise Invalid("Tuliskan alasan perubahan JP (minimal 5 karakter).")


def adjust_jp(
    session: Session, *, training: ExternalTraining, hr: User, jp: str, reason: str
) -> None:
    """Change the JP a verified entry counts, with a reason; the ledger follows. Audited."""
    if training.user_id == hr.id:
        raise Forbidden("Anda tidak dapat mengubah JP pelatihan Anda sendiri.")
    if not hr.has_role("hr", "admin"):
        raise Forbidden()
    if training.status != "verified":
        raise Conflict("Hanya pelatihan yang sudah diverifikasi yang dapat disesuaikan JP-nya.")
    reason = reason.strip()
    approved = _whole_number(jp, "JP diakui")
    before = training.jp_counted
    if approved == before:
        return
    if len(reason) < 5:
        raise Invalid("Tuliskan alasan perubahan JP (minimal 5 karakter).")
    _check_adjustment(training, approved=approved, reason=reason)
    training.jp_approved = approved
    training.jp_reason = reason[:500]
    entry = session.scalars(select(JpEntry).where(JpEntry.external_id == training.id)).first()
    if entry is not None:
        entry.jp = approved
    session.flush()
    audit.record(
        session,
        actor=hr,
        action="external.adjust_jp",
        object_type="external_training",
        object_id=training.id,
        instansi_id=training.user.instansi_id,
        detail={
            "from": before,
            "to": approved,
            "reason": reason[:200],
            "over_daily_limit": approved > jp_cap(training.start_date, training.end_date),
        },
    )


def reviewed_for_hr(session: Session, *, hr: User, limit: int = 20) -> list[ExternalTraining]:
    """The latest verified entries HR may still adjust."""
    stmt = (
        select(ExternalTraining)
        .join(User, ExternalTraining.user_id == User.id)
        .options(joinedload(ExternalTraining.user).joinedload(User.unit))
        .where(ExternalTraining.status == "verified")
        .order_by(ExternalTraining.reviewed_at.desc())
        .limit(limit)
    )
    stmt = stmt.where(accounts.scope_of(session, hr).people())
    return list(session.scalars(stmt))
