import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.completion import service as completion
from app.courses import service as courses
from app.learning import service as learning
from app.models import Certificate, User
from tests.conftest import login, run_jobs
from tests.factories import World
from tests.learning.helpers import finish_lessons, right

pytestmark = pytest.mark.usefixtures("courses_imported")

FORMS = {
    "pengajar": {
        "penguasaan-materi": 5,
        "sistematika": 4,
        "bahasa": 4,
        "relevansi": 5,
        "motivasi": 4,
    },
    "penyelenggaraan": {"akses": 4, "petunjuk": 4, "beban": 4, "soal": 4, "kepuasan": 5},
}


def complete(
    session: Session, user: User, slug: str = "smart-governance", *, evaluate: bool = True
) -> None:
    version = courses.published_course(session, slug=slug)
    enrollment = learning.enrol(session, user=user, version=version)
    finish_lessons(session, enrollment)
    attempt = assessments.start_attempt(
        session, enrollment=enrollment, quiz=assessments.quiz_of(version, kind="posttest")
    )
    for item in assessments.paper(session, attempt=attempt):
        assessments.save_answer(
            session, attempt=attempt, question_key=item.question.key, response=right(item.question)
        )
    completion.submit_attempt(session, attempt_id=attempt.id)
    if evaluate:
        for form_id, answers in FORMS.items():
            completion.submit_evaluation(
                session,
                enrollment=enrollment,
                version=version,
                form_id=form_id,
                answers=answers,
                comment=None,
            )
    run_jobs(session)


def test_certificate_is_issued_after_completion_and_evaluations(
    session: Session, world: World
) -> None:
    world.learner.golongan = "III/b"
    world.learner.jabatan = "Pengolah Data Kependudukan"
    complete(session, world.learner, evaluate=False)
    assert session.scalars(select(Certificate)).first() is None, "evaluations are required first"
    version = courses.published_course(session, slug="smart-governance")
    enrollment = learning.enrollment_for(session, user=world.learner, course_id=version.course_id)
    assert enrollment is not None
    for form_id, answers in FORMS.items():
        completion.submit_evaluation(
            session,
            enrollment=enrollment,
            version=version,
            form_id=form_id,
            answers=answers,
            comment=None,
        )
    cert = session.scalars(select(Certificate)).one()
    assert cert.status == "pending" and cert.pdf == b"", "rendered after the commit, by a job"
    assert run_jobs(session) == 2  # the rendering, then the mail telling the learner
    assert cert.status == "valid"
    assert cert.number == f"00001/SGOV/BKPSDM-TSM/{cert.year}"
    assert cert.predicate == "Sangat Memuaskan"
    assert len(cert.verification_code) >= 16

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(cert.pdf)).pages)
    for expected in (
        "SERTIFIKAT",
        cert.number,
        "Rina Marlina, S.E.",
        world.learner.nip,
        "Penata Muda Tk. I, III/b",
        "Pengolah Data Kependudukan",
        "Pemerintah Kabupaten Tasikmalaya",
        "Smart Governance dan Peran ASN",
        "6 JP",
        "Sangat Memuaskan",
        "Singaparna",
        "Daftar Materi",
        "belum ditandatangani secara elektronik",
        f"/verify/{cert.verification_code}",
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(cert.pdf)).pages) == 2


def test_holder_downloads_the_same_bytes_and_others_are_refused(
    client: TestClient, session: Session, world: World
) -> None:
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    login(client, world.learner.nip or "")
    page = client.get("/certificates")
    assert cert.number in page.text and f"/verify/{cert.verification_code}" in page.text
    first = client.get(f"/certificates/{cert.id}/pdf")
    second = client.get(f"/certificates/{cert.id}/pdf")
    assert first.status_code == 200 and first.content == second.content == cert.pdf
    assert first.headers["content-type"] == "application/pdf"

    for other in (world.learner2, world.hr_other):
        client.cookies.clear()
        login(client, other.nip or "")
        assert client.get(f"/certificates/{cert.id}/pdf").status_code == 404
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert client.get(f"/certificates/{cert.id}/pdf").content == cert.pdf


def test_verification_page_and_api_mask_the_nip(
    client: TestClient, session: Session, world: World
) -> None:
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    page = client.get(f"/verify/{cert.verification_code}")
    assert page.status_code == 200
    assert "sah dan berlaku" in page.text and "Rina Marlina" in page.text
    nip = world.learner.nip or ""
    assert nip not in page.text and f"{nip[:6]}**********{nip[-2:]}" in page.text
    api = client.get(f"/api/v1/verify/{cert.verification_code.lower()}").json()
    assert (
        api["status"] == "valid"
        and api["jp"] == 6
        and api["nip"] == f"{nip[:6]}**********{nip[-2:]}"
    )
    assert client.get("/verify/TIDAKADA1234").status_code == 404
    assert client.get("/api/v1/verify/x").status_code == 404


def test_api_lists_my_certificates(client: TestClient, session: Session, world: World) -> None:
    complete(session, world.learner)
    token = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": "Rahasia-Uji-123"}
    ).json()
    mine = client.get(
        "/api/v1/me/certificates", headers={"Authorization": f"Bearer {token['access_token']}"}
    ).json()
    assert [(c["course"], c["jp"]) for c in mine] == [("smart-governance", 6)]
    assert set(mine[0]) >= {"id", "number", "verification_code", "course", "jp", "issued_at"}


def test_rendering_fetches_nothing_outside_the_design_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from app.certificates.render import DESIGNS, FetchRefused, _fetcher

    fetcher = _fetcher(DESIGNS / "default")
    outside = tmp_path / "rahasia.txt"
    outside.write_text("x")
    for url in (
        "http://example.com/logo.png",
        "https://127.0.0.1/x.css",
        outside.as_uri(),
        (DESIGNS / "default" / ".." / ".." / "pyproject.toml").as_uri(),
    ):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    inside = fetcher.fetch((DESIGNS / "default" / "assets" / "logo.svg").as_uri())
    assert inside is not None


def test_module_jp_shares_the_course_jp_exactly() -> None:
    from app.certificates.render import module_jp

    lines = module_jp([("A", 40), ("B", 75), ("C", 60), ("D", 60)], 6)
    assert sum(m.jp for m in lines) == 6
    assert [m.jp for m in lines] == [1, 2, 2, 1]


def test_upload_check_detects_a_one_byte_change(
    client: TestClient, session: Session, world: World
) -> None:
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    token = client.get("/verify").text.split('name="csrf_token" value="')[1].split('"')[0]
    same = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("s.pdf", cert.pdf, "application/pdf")},
    )
    assert "identik dengan sertifikat yang diterbitkan" in same.text and cert.number in same.text
    changed = bytearray(cert.pdf)
    changed[len(changed) // 2] ^= 0x01
    other = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("s.pdf", bytes(changed), "application/pdf")},
    )
    assert "tidak sama dengan sertifikat mana pun" in other.text


def test_revoked_certificate_shows_revoked_with_reason(
    client: TestClient, session: Session, world: World
) -> None:
    from app.certificates import service as certificates

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    completion.revoke_certificate(
        session,
        certificate=certificates.find(session, number_or_code=cert.number),
        reason="Data peserta keliru",
        actor=world.admin,
    )
    session.commit()
    page = client.get(f"/verify/{cert.verification_code}")
    assert "dicabut" in page.text and "Data peserta keliru" in page.text
    api = client.get(f"/api/v1/verify/{cert.verification_code}").json()
    assert (
        api["status"] == "revoked" and api["reason"] == "Data peserta keliru" and api["revoked_at"]
    )


def test_revoking_takes_the_jp_out_and_the_holder_sees_why(
    client: TestClient, session: Session, world: World
) -> None:
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    year = cert.issued_on.year
    assert [e.jp for e in learning.jp_ledger(session, user=world.learner, year=year)] == [6]
    login(client, world.admin.email or "")
    token = client.get("/admin/certificates").text.split('name="csrf_token" value="')[1]
    done = client.post(
        f"/admin/certificates/{cert.id}/revoke",
        data={"csrf_token": token.split('"')[0], "reason": "Nilai post-test tidak sah"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.expire_all()
    assert learning.jp_ledger(session, user=world.learner, year=year) == []
    assert learning.jp_this_year(session, user=world.learner) == 0
    client.cookies.clear()
    login(client, world.learner.nip or "")
    page = client.get("/certificates").text
    assert "Dicabut" in page and "Nilai post-test tidak sah" in page and "tidak dihitung" in page
    mine = client.get("/api/v1/me/certificates").json()
    assert mine[0]["status"] == "revoked" and mine[0]["reason"] == "Nilai post-test tidak sah"


def test_certificate_is_pades_signed_and_pyhanko_validates_it(
    session: Session, world: World, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from app.certificates import signing
    from app.config import get_settings

    key = tmp_path / "signer.p12"
    signing.create_development_signer(key)
    monkeypatch.setattr(get_settings(), "signing_key_path", key)
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    assert cert.signed_by == signing.DEV_SIGNER_NAME

    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    _, x509_cert, _ = pkcs12.load_key_and_certificates(key.read_bytes(), None)
    assert x509_cert is not None
    pem = tmp_path / "signer.pem"
    pem.write_bytes(x509_cert.public_bytes(Encoding.PEM))
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(pem))])
    reader = PdfFileReader(io.BytesIO(cert.pdf))
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(cert.pdf)).pages)
    assert "dengan kunci PENGEMBANGAN (bukan sertifikat BSrE)" in " ".join(text.split())

    # one changed byte inside a content stream: the file still parses, the signature breaks
    changed = bytearray(cert.pdf)
    changed[cert.pdf.index(b"stream", 2000) + 40] ^= 0x01
    tampered = validate_pdf_signature(
        PdfFileReader(io.BytesIO(bytes(changed))).embedded_signatures[0], context
    )
    assert not tampered.intact


def test_verification_lookups_are_rate_limited(client: TestClient) -> None:
    statuses = [client.get(f"/api/v1/verify/TEBAKAN{i:08d}").status_code for i in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
    assert client.get("/verify/TEBAKAN00000000").status_code == 429


def test_rate_limiter_window_slides() -> None:
    from app.core.ratelimit import RateLimiter

    limiter = RateLimiter(limit=2, per_seconds=10)
    assert limiter.allow("a", now=0) and limiter.allow("a", now=1)
    assert not limiter.allow("a", now=5)
    assert limiter.allow("b", now=5)
    assert limiter.allow("a", now=10.5)


def test_reissue_keeps_the_old_file_as_history(
    client: TestClient, session: Session, world: World
) -> None:
    from app.certificates import service as certificates
    from app.models import AuditEvent, CertificateRevision

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    old_pdf, old_number = cert.pdf, cert.number
    world.learner.jabatan = "Analis Data dan Informasi"  # the reason to reissue: corrected data
    certificates.reissue(
        session, certificate=cert, reason="Perbaikan nama jabatan", actor=world.admin
    )
    session.commit()
    assert cert.number == old_number and cert.pdf != old_pdf
    revision = session.scalars(select(CertificateRevision)).one()
    assert revision.pdf == old_pdf and revision.revision == 1
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.action == "certificate.reissue")
    ).one()
    token = client.get("/verify").text.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("lama.pdf", old_pdf, "application/pdf")},
    )
    assert "versi terdahulu" in page.text


def test_upload_check_reports_the_signature(
    client: TestClient, session: Session, world: World, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.certificates import signing
    from app.config import get_settings

    key = tmp_path / "signer.p12"
    signing.create_development_signer(key)
    monkeypatch.setattr(get_settings(), "signing_key_path", key)
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    token = client.get("/verify").text.split('name="csrf_token" value="')[1].split('"')[0]
    same = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("s.pdf", cert.pdf, "application/pdf")},
    )
    assert "identik" in same.text and "utuh dan terpercaya" in same.text
    assert signing.DEV_SIGNER_NAME in same.text
    changed = bytearray(cert.pdf)
    changed[cert.pdf.index(b"stream", 2000) + 40] ^= 0x01
    other = client.post(
        "/verify",
        data={"csrf_token": token},
        files={"file": ("s.pdf", bytes(changed), "application/pdf")},
    )
    assert "tidak sama dengan sertifikat mana pun" in other.text and "rusak" in other.text


def test_upload_check_does_not_trust_a_self_signed_key_with_the_same_name(
    client: TestClient, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A forger makes a key named like Cakap's signer and signs her own PDF: the signature is
    well formed, but it is not Cakap's, and the check says so."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pypdf import PdfWriter

    from app.certificates import signing
    from app.config import get_settings

    ours = tmp_path / "signer.p12"
    signing.create_development_signer(ours)
    monkeypatch.setattr(get_settings(), "signing_key_path", ours)
    forger_key = tmp_path / "forger.p12"
    signing.create_development_signer(forger_key)  # a fresh key, the same name
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    forger = signers.SimpleSigner.load_pkcs12(str(forger_key), passphrase=None)
    assert forger is not None
    forged = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(blank.getvalue())),
        signers.PdfSignatureMetadata(field_name="TandaTanganElektronik"),
        signer=forger,
    ).getvalue()
    token = client.get("/verify").text.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(
        "/verify", data={"csrf_token": token}, files={"file": ("f.pdf", forged, "application/pdf")}
    )
    assert page.status_code == 200
    assert "bukan diterbitkan Cakap" in page.text
    assert "terpercaya" not in page.text and ">utuh<" not in page.text


def test_admin_revokes_and_reissues_from_the_register(
    client: TestClient, session: Session, world: World
) -> None:
    from app.models import CertificateRevision

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    login(client, world.admin.email or "")
    page = client.get("/admin/certificates", params={"q": "rina"})
    assert cert.number in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    world.learner.jabatan = "Analis Data dan Informasi"
    session.commit()
    done = client.post(
        f"/admin/certificates/{cert.id}/reissue",
        data={"csrf_token": token, "reason": "Jabatan diperbarui"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert session.scalars(select(CertificateRevision)).one().certificate_id == cert.id
    client.post(
        f"/admin/certificates/{cert.id}/revoke",
        data={"csrf_token": token, "reason": "Diterbitkan keliru"},
    )
    session.refresh(cert)
    assert cert.status == "revoked" and cert.revoked_reason == "Diterbitkan keliru"
    assert (
        client.post(
            "/admin/certificates/999999/revoke", data={"csrf_token": token, "reason": "xxxxx"}
        ).status_code
        == 404
    )
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert client.get("/admin/certificates").status_code == 403


def test_admin_sets_the_issuer_and_signatory_printed_on_new_certificates(
    client: TestClient, session: Session, world: World
) -> None:
    import struct
    import zlib

    def png() -> bytes:  # a real 1×1 PNG
        def chunk(kind: bytes, data: bytes) -> bytes:
            return (
                struct.pack(">I", len(data))
                + kind
                + data
                + struct.pack(">I", zlib.crc32(kind + data))
            )

        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x0b\x5d\x73"))
            + chunk(b"IEND", b"")
        )

    login(client, world.admin.email or "")
    token = client.get("/admin/settings").text.split('name="csrf_token" value="')[1].split('"')[0]
    form = {
        "csrf_token": token,
        "parent": "Pemerintah Kabupaten Ciamis",
        "name": "BKPSDM Kabupaten Ciamis",
        "code": "BKPSDM-CMS",
        "place": "Ciamis",
        "signatory_title": "Kepala BKPSDM",
        "signatory_name": "Dr. Euis Suryani, M.Si.",
        "signatory_nip": "19700512 199503 2 001",
    }
    bad = client.post("/admin/settings", data=form | {"signatory_nip": "197005121995033001"})
    assert bad.status_code == 422 and "NIP penanda tangan tidak valid" in bad.text
    ok = client.post(
        "/admin/settings",
        data=form,
        files={"logo": ("logo.png", png(), "image/png")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    assert cert.number.endswith("/BKPSDM-CMS/" + str(cert.year))
    text = " ".join(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(cert.pdf)).pages).split()
    )
    for expected in (
        "PEMERINTAH KABUPATEN CIAMIS",
        "BKPSDM KABUPATEN CIAMIS",
        "Ciamis,",
        "Dr. Euis Suryani, M.Si.",
        "NIP 197005121995032001",
    ):
        assert expected in text, expected


def test_downloads_of_someone_elses_certificate_are_audited(
    client: TestClient, session: Session, world: World
) -> None:
    from app.models import AuditEvent

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    login(client, world.learner.nip or "")
    assert client.get(f"/certificates/{cert.id}/pdf").status_code == 200
    downloads = select(AuditEvent).where(AuditEvent.action == "certificate.download")
    assert session.scalars(downloads).first() is None, "the holder's own download is not"
    client.cookies.clear()
    login(client, world.hr.nip or "")
    assert client.get(f"/certificates/{cert.id}/pdf").content == cert.pdf
    event = session.scalars(downloads).one()
    assert event.actor_id == world.hr.id and event.detail["holder"] == world.learner.id
