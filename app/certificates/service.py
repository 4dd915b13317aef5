"""Certificates: issued once per completed enrolment, numbered without gaps, verifiable."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.accounts import service as accounts
from app.asn.employment import pangkat_golongan
from app.asn.nip import mask_nip
from app.certificates import issuer, signing
from app.config import get_settings
from app.core import clock
from app.core.db import Database
from app.core.errors import NotFound, TooManyRequests
from app.core.ratelimit import RateLimiter
from app.core.templating import tanggal
from app.courses import repository as courses
from app.courses.outline import Outline
from app.jobs import queue as jobs
from app.mail import service as mail
from app.models import Certificate, CertificateCounter, Enrollment, User

SIGNATURE_NOTE = "Dokumen ini belum ditandatangani secara elektronik."


def signature_note() -> str:
    info = signing.signer_info()
    if info is None:
        return SIGNATURE_NOTE
    if info.development:
        return "Ditandatangani secara elektronik dengan kunci PENGEMBANGAN (bukan sertifikat BSrE)."
    return f"Ditandatangani secara elektronik oleh {info.subject}."


def predicate(score: float | None, passing: int) -> str:
    if score is None:
        return "Selesai"
    if score >= 90:
        return "Sangat Memuaskan"
    if score >= 80:
        return "Memuaskan"
    return "Baik" if score >= passing else "Selesai"


def new_code() -> str:
    """80 random bits, base32 without padding: unguessable and easy to type from paper."""
    return base64.b32encode(secrets.token_bytes(10)).decode().rstrip("=")


def _next_seq(session: Session, year: int) -> int:
    """Lock the year's counter row and take the next number (inserting the row once)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(
            pg_insert(CertificateCounter).values(year=year, last=0).on_conflict_do_nothing()
        )
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(CertificateCounter).values(year=year, last=0).on_conflict_do_nothing()
        )
    counter = session.scalars(
        select(CertificateCounter).where(CertificateCounter.year == year).with_for_update()
    ).one()
    counter.last += 1
    session.flush()
    return counter.last


def issue(session: Session, *, enrollment: Enrollment, version: Outline) -> Certificate:
    """Issue the enrolment's certificate, once. The caller holds the enrolment row lock."""
    existing = session.scalars(
        select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    ).first()
    if existing is not None:
        return existing
    settings = get_settings()
    when = enrollment.completed_at or clock.now()
    issued_on = when.astimezone(clock.WIB).date()
    year = issued_on.year
    seq = _next_seq(session, year)
    who = issuer.current(session)
    number = settings.certificate_number_format.format(
        seq=seq, course_code=version.course.code, issuer_code=who.code, year=year
    )
    certificate = Certificate(
        enrollment_id=enrollment.id,
        user_id=enrollment.user_id,
        course_id=version.course_id,
        version_id=version.id,
        year=year,
        seq=seq,
        number=number,
        verification_code=new_code(),
        issued_at=when,
        issued_on=issued_on,
        predicate=predicate(enrollment.posttest_score, version.passing_score),
        score=enrollment.posttest_score,
        status="pending",
        pdf=b"",
        sha256="",
    )
    session.add(certificate)
    session.flush()
    # Rendering and signing take a quarter of a second or more: never inside this write
    # transaction. The worker does it once the completion has committed.
    from app.certificates import tasks

    jobs.after_commit(session, tasks.render_certificate, certificate.id)
    return certificate


def render_pending(database: Database, *, certificate_id: int) -> bool:
    """Render and sign a pending certificate, then store the file: the slow part in a read
    transaction (no lock held), the store in a short write. Idempotent: a certificate that
    already has its file is left alone. True if this call stored the file."""
    with database.unit_of_work(write=False) as session:
        certificate = session.get(Certificate, certificate_id)
        if certificate is None or certificate.sha256:
            return False
        enrollment = session.get(Enrollment, certificate.enrollment_id)
        user = session.get(User, certificate.user_id)
        version = courses.outline(session, certificate.version_id)
        assert enrollment is not None and user is not None and version is not None
        who = issuer.current(session)
        pdf = signing.sign(
            render(
                certificate=certificate, user=user, enrollment=enrollment, version=version, who=who
            ),
            reason=f"Sertifikat {certificate.number}",
            location=who.place,
        )
    signer = signing.signer_info()
    with database.unit_of_work() as session:
        certificate = session.get(Certificate, certificate_id, with_for_update=True)
        if certificate is None or certificate.sha256:
            return False
        certificate.signed_by = signer.subject if signer is not None else None
        certificate.pdf = pdf
        certificate.sha256 = hashlib.sha256(pdf).hexdigest()
        if certificate.status == "pending":
            certificate.status = "valid"
        if certificate.status == "valid" and user.email:
            mail.queue(
                session,
                to=user.email,
                template="certificate_ready",
                context={
                    "name": user.name,
                    "course_title": version.title,
                    "number": certificate.number,
                    "jp": version.jp,
                    "code": certificate.verification_code,
                },
                key=f"certificate-ready:{certificate.id}",
            )
        return True


def pending_ids(session: Session, *, older_than_seconds: int) -> list[int]:
    """Certificates still without their file (for the worker's sweep)."""
    cutoff = clock.now() - timedelta(seconds=older_than_seconds)
    return list(
        session.scalars(
            select(Certificate.id).where(Certificate.sha256 == "", Certificate.issued_at < cutoff)
        )
    )


def verify_url(code: str) -> str:
    return f"{get_settings().base_url.rstrip('/')}/verify/{code}"


def render(
    *,
    certificate: Certificate,
    user: User,
    enrollment: Enrollment,
    version: Outline,
    who: issuer.Issuer,
) -> bytes:
    from app.certificates.render import module_jp, qr_data_uri, render_pdf

    settings = get_settings()
    url = verify_url(certificate.verification_code)
    modules = module_jp(
        [(m.title, sum(les.minutes for les in m.lessons)) for m in version.modules], version.jp
    )
    context: dict[str, Any] = {
        "number": certificate.number,
        "issuer_parent": who.parent,
        "issuer_name": who.name,
        "logo": who.logo,
        "holder_name": user.name,
        "holder_nip": user.nip,
        "holder_rank": pangkat_golongan(user.golongan),
        "holder_position": user.jabatan,
        "holder_instansi": user.instansi.name if user.instansi else None,
        "course_title": version.title,
        "started_on": tanggal(enrollment.enrolled_at),
        "completed_on": tanggal(enrollment.completed_at or certificate.issued_at),
        "jp": version.jp,
        "predicate": certificate.predicate,
        "place": who.place,
        "issued_on": tanggal(certificate.issued_on),
        "signatory_title": who.signatory_title,
        "signatory_name": who.signatory_name,
        "signatory_nip": who.signatory_nip,
        "signature_note": signature_note(),
        "qr": qr_data_uri(url),
        "verify_url": url,
        "modules": modules,
        "pretest_score": _fmt(enrollment.pretest_score),
        "posttest_score": _fmt(enrollment.posttest_score),
        "minutes_per_jp": settings.minutes_per_jp,
    }
    return render_pdf(version.certificate_design, context)


def _fmt(score: float | None) -> str | None:
    return None if score is None else f"{score:.0f}"


def of_user(session: Session, *, user: User) -> list[Certificate]:
    stmt = (
        select(Certificate)
        .options(joinedload(Certificate.version), joinedload(Certificate.course))
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc())
    )
    return list(session.scalars(stmt))


def record_download(session: Session, *, certificate: Certificate, viewer: User) -> None:
    """A certificate is personal data: a download by anyone but its holder (HR, an admin) is
    audited."""
    from app.audit import service as audit

    audit.record_personal_read(
        session,
        viewer=viewer,
        holder=certificate.user,
        action="certificate.download",
        object_type="certificate",
        object_id=certificate.number,
    )


def for_viewer(session: Session, *, certificate_id: int, viewer: User) -> Certificate:
    """The holder, HR of the holder's instansi, and admins may open a certificate."""
    cert = session.scalars(
        select(Certificate)
        .options(joinedload(Certificate.user))
        .where(Certificate.id == certificate_id)
    ).first()
    if cert is None:
        raise NotFound("Sertifikat tidak ditemukan.")
    if accounts.may_see_records_of(session, viewer, cert.user):
        return cert
    raise NotFound("Sertifikat tidak ditemukan.")


@dataclass
class Verification:
    certificate: Certificate
    holder: str
    masked_nip: str | None
    course: str
    jp: int


VERIFY_LIMIT = RateLimiter(limit=30, per_seconds=60)


def check_lookup_rate(address: str) -> None:
    """Verification codes are unguessable (80 bits); limiting lookups per address keeps it so."""
    if not VERIFY_LIMIT.allow(address):
        raise TooManyRequests(
            "Terlalu banyak pemeriksaan sertifikat dari alamat ini. Coba lagi sebentar lagi."
        )


def verify(session: Session, *, code: str) -> Verification:
    code = (code or "").strip().upper()
    cert = None
    if 8 <= len(code) <= 32 and code.isalnum():
        cert = session.scalars(
            select(Certificate)
            .options(joinedload(Certificate.user), joinedload(Certificate.version))
            .where(Certificate.verification_code == code)
        ).first()
    if cert is None:
        raise NotFound("Sertifikat dengan kode ini tidak ditemukan.")
    return Verification(
        cert,
        cert.user.name,
        mask_nip(cert.user.nip) if cert.user.nip else None,
        cert.version.title,
        cert.version.jp,
    )


def find(session: Session, *, number_or_code: str) -> Certificate:
    value = (number_or_code or "").strip()
    cert = session.scalars(
        select(Certificate).where(
            (Certificate.number == value) | (Certificate.verification_code == value.upper())
        )
    ).first()
    if cert is None:
        raise NotFound(f"Sertifikat {value!r} tidak ditemukan.")
    return cert


def check_revocable(*, certificate: Certificate, reason: str) -> None:
    from app.core.errors import Conflict, Invalid

    if len((reason or "").strip()) < 5:
        raise Invalid("Tuliskan alasan pencabutan (minimal 5 karakter).")
    if certificate.status == "revoked":
        raise Conflict("Sertifikat ini sudah dicabut.")


def revoke(
    session: Session,
    *,
    certificate: Certificate,
    reason: str,
    actor: User | None,
    jp_withdrawn: int = 0,
) -> None:
    """Mark revoked with a reason; the verification page says so from then on. Audited.
    Call it through completion.revoke_certificate, which also takes the JP out."""
    from app.audit import service as audit

    check_revocable(certificate=certificate, reason=reason)
    reason = reason.strip()
    certificate.status = "revoked"
    certificate.revoked_at = clock.now()
    certificate.revoked_reason = reason[:500]
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="certificate.revoke",
        object_type="certificate",
        object_id=certificate.number,
        detail={"reason": reason[:200], "jp_withdrawn": jp_withdrawn},
    )


@dataclass
class UploadCheck:
    identical: bool
    certificate: Certificate | None
    superseded: bool = False  # identical to an earlier file of a reissued certificate
    # none | trusted (intact, by Cakap's signing certificate) | foreign (intact, by anyone
    # else) | broken | unreadable
    signature: str = "none"
    signer: str | None = None


def check_signature(data: bytes) -> tuple[str, str | None]:
    """Whether the file carries a signature that is intact *and* made with Cakap's configured
    signing certificate, and who signed it. The name in a certificate is whatever its maker
    typed: anyone can make a self-signed key called like ours, so the only trust anchor is the
    configured certificate itself (its exact bytes), never a name. A certificate Cakap signed
    with an earlier key is still recognised by its file hash (check_upload), not here."""
    import io

    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    ours = signing.signer_certificate_der()
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if not signatures:
            return "none", None
        roots = [asn1_x509.Certificate.load(ours)] if ours else []
        # Offline: no OS trust list, no fetching of chains or revocation data.
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(signatures[0], context)
    except Exception:  # a damaged or foreign file: the check says so instead of failing
        return "unreadable", None
    cert = status.signing_cert
    subject = cert.subject.native.get("common_name") if cert else None
    if not (status.intact and status.valid):
        return "broken", subject
    if ours is not None and status.trusted and cert is not None and cert.dump() == ours:
        return "trusted", subject
    return "foreign", subject


def check_upload(session: Session, *, data: bytes) -> UploadCheck:
    """Is this exactly a file Cakap issued? Compared by SHA-256 of the whole file."""
    from app.models import CertificateRevision

    signature, signer = check_signature(data)
    digest = hashlib.sha256(data).hexdigest()
    cert = session.scalars(
        select(Certificate)
        .options(joinedload(Certificate.user), joinedload(Certificate.version))
        .where(Certificate.sha256 == digest)
    ).first()
    if cert is not None:
        return UploadCheck(True, cert, signature=signature, signer=signer)
    old = session.scalars(
        select(CertificateRevision).where(CertificateRevision.sha256 == digest)
    ).first()
    if old is not None:
        return UploadCheck(
            True,
            session.get(Certificate, old.certificate_id),
            superseded=True,
            signature=signature,
            signer=signer,
        )
    return UploadCheck(False, None, signature=signature, signer=signer)


def issued_by_cakap(session: Session, *, data: bytes) -> bool:
    """Whether this file is a certificate Cakap issued: one of its files (current or earlier),
    or any PDF carrying an intact signature by Cakap's signing certificate. Read-only; the
    signature check parses the PDF, so call it before a write transaction."""
    from app.models import CertificateRevision

    digest = hashlib.sha256(data).hexdigest()
    for model in (Certificate, CertificateRevision):
        if session.scalar(select(model.id).where(model.sha256 == digest).limit(1)) is not None:
            return True
    return data.startswith(b"%PDF-") and check_signature(data)[0] == "trusted"


def render_current(session: Session, *, certificate_id: int) -> bytes:
    """Render and sign a certificate as it stands now (read-only; used by reissue)."""
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound("Sertifikat tidak ditemukan.")
    version = courses.outline(session, cert.version_id)
    assert version is not None
    who = issuer.current(session)
    pdf = render(
        certificate=cert, user=cert.user, enrollment=cert.enrollment, version=version, who=who
    )
    return signing.sign(pdf, reason=f"Sertifikat {cert.number}", location=who.place)


def reissue_reason(reason: str | None) -> str:
    """The reason a reissue needs (kept in the history), checked before any rendering."""
    from app.core.errors import Invalid

    reason = (reason or "").strip()
    if len(reason) < 5:
        raise Invalid("Tuliskan alasan penerbitan ulang (minimal 5 karakter).")
    return reason


def replace_file(
    session: Session, *, certificate: Certificate, pdf: bytes, reason: str, actor: User | None
) -> None:
    """Keep the old file as a revision, store the new one, and audit it. Number, code and
    dates stay: a reissued certificate is the same certificate in a new file."""
    from sqlalchemy import func

    from app.audit import service as audit
    from app.models import CertificateRevision

    reason = reissue_reason(reason)
    count = (
        session.scalar(
            select(func.count()).where(CertificateRevision.certificate_id == certificate.id)
        )
        or 0
    )
    session.add(
        CertificateRevision(
            certificate_id=certificate.id,
            revision=count + 1,
            pdf=certificate.pdf,
            sha256=certificate.sha256,
            signed_by=certificate.signed_by,
            reason=reason[:500],
        )
    )
    signer = signing.signer_info()
    certificate.pdf = pdf
    certificate.sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.signed_by = signer.subject if signer is not None else None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="certificate.reissue",
        object_type="certificate",
        object_id=certificate.number,
        detail={"revision": count + 1, "reason": reason[:200]},
    )


def reissue(session: Session, *, certificate: Certificate, reason: str, actor: User | None) -> None:
    replace_file(
        session,
        certificate=certificate,
        pdf=render_current(session, certificate_id=certificate.id),
        reason=reason,
        actor=actor,
    )


def ids_for_course(session: Session, *, course_code: str, year: int | None) -> list[int]:
    from app.models import Course

    stmt = (
        select(Certificate.id)
        .join(Course, Certificate.course_id == Course.id)
        .where(Course.code == course_code)
    )
    if year is not None:
        stmt = stmt.where(Certificate.year == year)
    return list(session.scalars(stmt.order_by(Certificate.id)))


def register(
    session: Session, *, query: str | None, page: int, per_page: int = 50
) -> tuple[list[Certificate], int]:
    """The certificate register for admins: newest first, searchable by number, code or name."""
    from sqlalchemy import func

    stmt = select(Certificate).join(User, Certificate.user_id == User.id)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(
            func.lower(Certificate.number).like(like)
            | func.lower(Certificate.verification_code).like(like)
            | func.lower(User.name).like(like)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(joinedload(Certificate.user), joinedload(Certificate.version))
        .order_by(Certificate.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


def get(session: Session, certificate_id: int) -> Certificate:
    cert = session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound("Sertifikat tidak ditemukan.")
    return cert
