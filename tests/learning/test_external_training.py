import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.learning import service as learning
from app.models import AuditEvent, ExternalTraining
from tests.conftest import csrf_from, form_token, login
from tests.factories import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "title": "Pelatihan Kepemimpinan Pengawas",
    "organiser": "BPSDM Provinsi Jawa Barat",
    "start_date": "2026-03-02",
    "end_date": "2026-03-06",
    "jp": "12",
    "certificate_number": "045/PIM-IV/BPSDM-JB/2026",
}


def _submit(client: TestClient, data: dict[str, str], pdf: bytes = PDF) -> object:
    token = form_token(client, "/training/external")
    return client.post(
        "/training/external",
        data={"csrf_token": token, **data},
        files={"certificate": ("sertifikat.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )


def test_external_training_counts_only_after_hr_verifies(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    assert _submit(client, FORM).status_code == 303  # type: ignore[attr-defined]
    assert learning.jp_ledger(session, user=world.learner, year=2026) == []
    row = session.scalars(select(ExternalTraining)).one()
    assert row.status == "pending"

    client.cookies.clear()
    login(client, world.hr.nip or "")
    queue = client.get("/hr/external")
    assert "Pelatihan Kepemimpinan Pengawas" in queue.text
    assert client.get(f"/training/external/{row.id}/certificate").content == PDF
    done = client.post(
        f"/hr/external/{row.id}/review",
        data={"csrf_token": csrf_from(queue.text), "decision": "verify"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    ledger = learning.jp_ledger(session, user=world.learner, year=2026)
    assert [(e.source, e.jp) for e in ledger] == [("external", 12)]
    assert (
        session.scalars(select(AuditEvent).where(AuditEvent.action == "external.verify"))
        .one()
        .actor_id
        == world.hr.id
    )
    again = client.post(
        f"/hr/external/{row.id}/review",
        data={"csrf_token": csrf_from(queue.text), "decision": "verify"},
    )
    assert again.status_code == 409


def test_not_a_pdf_is_refused(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    response = _submit(client, FORM, pdf=b"MZ\x90\x00 bukan pdf")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "bukan PDF" in response.text  # type: ignore[attr-defined]


def test_bad_dates_and_jp_are_refused(client: TestClient, world: World) -> None:
    login(client, world.learner.nip or "")
    assert "sebelum tanggal mulai" in _submit(client, FORM | {"end_date": "2026-03-01"}).text  # type: ignore[attr-defined]
    assert "JP berupa bilangan bulat" in _submit(client, FORM | {"jp": "0"}).text  # type: ignore[attr-defined]


def test_hr_of_another_instansi_cannot_see_or_verify(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    _submit(client, FORM)
    row = session.scalars(select(ExternalTraining)).one()
    client.cookies.clear()
    login(client, world.hr_other.nip or "")
    assert "Pelatihan Kepemimpinan" not in client.get("/hr/external").text
    token = form_token(client, "/hr/external")
    assert client.get(f"/training/external/{row.id}/certificate").status_code == 404
    assert (
        client.post(
            f"/hr/external/{row.id}/review", data={"csrf_token": token, "decision": "verify"}
        ).status_code
        == 404
    )
    client.cookies.clear()
    login(client, world.learner2.nip or "")
    assert client.get(f"/training/external/{row.id}/certificate").status_code == 404


def test_rejection_needs_a_reason(client: TestClient, session: Session, world: World) -> None:
    login(client, world.learner.nip or "")
    _submit(client, FORM)
    row = session.scalars(select(ExternalTraining)).one()
    client.cookies.clear()
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/external")
    refused = client.post(
        f"/hr/external/{row.id}/review", data={"csrf_token": token, "decision": "reject"}
    )
    assert refused.status_code == 422 and "alasan penolakan" in refused.text
    ok = client.post(
        f"/hr/external/{row.id}/review",
        data={"csrf_token": token, "decision": "reject", "note": "Sertifikat tidak terbaca."},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def _as(client: TestClient, user: object) -> None:
    client.cookies.clear()
    login(client, getattr(user, "nip", None) or getattr(user, "email", ""))


def test_the_same_evidence_counts_once(client: TestClient, session: Session, world: World) -> None:
    login(client, world.learner.nip or "")
    assert _submit(client, FORM).status_code == 303  # type: ignore[attr-defined]
    again = _submit(client, FORM | {"certificate_number": "046/PIM-IV/BPSDM-JB/2026"})
    assert again.status_code == 422 and "hanya dihitung sekali" in again.text  # type: ignore[attr-defined]
    other_file = PDF.replace(b"trailer", b"%lain\ntrailer")
    renumbered = _submit(
        client,
        FORM
        | {
            "certificate_number": " 045/pim-iv/BPSDM-JB/2026",
            "organiser": "bpsdm provinsi  jawa barat",
        },
        pdf=other_file,
    )
    assert renumbered.status_code == 422  # type: ignore[attr-defined]
    assert (
        session.scalars(select(ExternalTraining)).one().certificate_number
        == FORM["certificate_number"]
    )


def test_a_day_of_training_yields_at_most_ten_jp_unless_hr_overrides_with_a_reason(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.learner.nip or "")
    webinar = FORM | {"start_date": "2026-03-02", "end_date": "2026-03-02"}
    refused = _submit(client, webinar | {"jp": "150"})
    assert refused.status_code == 422 and "paling banyak 10 JP" in refused.text  # type: ignore[attr-defined]
    assert _submit(client, webinar | {"jp": "10"}).status_code == 303  # type: ignore[attr-defined]
    row = session.scalars(select(ExternalTraining)).one()

    _as(client, world.hr)
    token = form_token(client, "/hr/external")
    no_reason = client.post(
        f"/hr/external/{row.id}/review",
        data={"csrf_token": token, "decision": "verify", "jp": "16"},
    )
    assert no_reason.status_code == 422 and "melebihi 10 JP per hari" in no_reason.text
    ok = client.post(
        f"/hr/external/{row.id}/review",
        data={
            "csrf_token": token,
            "decision": "verify",
            "jp": "16",
            "note": "Diklat tatap muka 2 sesi panjang, 720 menit sesuai jadwal",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert [e.jp for e in learning.jp_ledger(session, user=world.learner, year=2026)] == [16]
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "external.verify")).one()
    assert event.detail["jp_claimed"] == 10 and event.detail["over_daily_limit"] is True

    adjusted = client.post(
        f"/hr/external/{row.id}/jp",
        data={"csrf_token": token, "jp": "8", "reason": "Jadwal resmi hanya 360 menit"},
        follow_redirects=False,
    )
    assert adjusted.status_code == 303
    session.expire_all()
    assert [e.jp for e in learning.jp_ledger(session, user=world.learner, year=2026)] == [8]
    change = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "external.adjust_jp")
    ).one()
    assert change.detail["from"] == 16 and change.detail["to"] == 8

    _as(client, world.learner)
    page = client.get("/training/external").text
    assert "Jadwal resmi hanya 360 menit" in page and FORM["certificate_number"] in page


@pytest.mark.usefixtures("courses_imported")
def test_a_cakap_certificate_is_refused_as_outside_evidence(
    client: TestClient, session: Session, world: World
) -> None:
    from app.models import Certificate
    from tests.certificates.test_certificates import complete

    complete(session, world.learner)
    cert = session.scalars(select(Certificate)).one()
    login(client, world.learner.nip or "")
    refused = _submit(client, FORM, pdf=cert.pdf)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "sertifikat yang diterbitkan Cakap" in refused.text  # type: ignore[attr-defined]
    assert session.scalars(select(ExternalTraining)).first() is None


def test_a_pdf_signed_with_cakaps_key_is_refused_even_if_it_is_not_an_issued_file(
    client: TestClient, session: Session, world: World, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfWriter

    from app.certificates import signing
    from app.config import get_settings

    key = tmp_path / "signer.p12"
    signing.create_development_signer(key)
    monkeypatch.setattr(get_settings(), "signing_key_path", key)
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    signed = signing.sign(blank.getvalue(), reason="uji", location="Singaparna")
    login(client, world.learner.nip or "")
    refused = _submit(client, FORM, pdf=signed)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "sertifikat yang diterbitkan Cakap" in refused.text  # type: ignore[attr-defined]
