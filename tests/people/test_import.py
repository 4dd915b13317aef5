import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import Forbidden, Invalid
from app.models import AuditEvent, Unit, User
from app.people import service
from tests.conftest import csrf_from, form_token, login, run_jobs
from tests.factories import World

HEADER = "nip,nama,email,jenis_asn,golongan,jenis_jabatan,jabatan,kode_unit,nama_unit"
GOOD = [
    "198503122010011002,Asep Saepudin S.Kom.,asep@contoh.test,PNS,III/b,fungsional,Pranata Komputer,DISKOMINFO,Dinas Komunikasi dan Informatika",
    "198703152011012003,Neneng Hasanah S.E.,,PNS,III/a,pelaksana,Pengadministrasi Keuangan,DISKOMINFO,",
    "19920120 201902 2 001,Lina Marlina A.Md.,lina@contoh.test,PNS,II/c,pelaksana,Pengolah Data,KEC.SALAWU,Kecamatan Salawu",
    "198001012005011001,Budi Hartono,,PNS,III/d,pengawas,Kepala Seksi,KEC.SALAWU,",
    "199005052023211001,Dedi Kurnia S.Pd.,,PPPK,IX,fungsional,Guru Ahli Pertama,,",
    "197512312000121001,Ujang Suryana,,PNS,IV/a,administrator,Camat,KEC.SALAWU,",
    "199101012015032002,Yuyun Wahyuni,,CPNS,III/a,pelaksana,Analis,,",
    "198811112012121001,Cecep Gunawan,cecep@contoh.test,PNS,iii/c,fungsional,Statistisi Ahli Muda,,",
    "199202022020121002,Dani Permana,,PNS,,pelaksana,,,",
    "198404042009042001,Ai Rahmawati,,pns,III/c,,,,",
]
BAD = [
    "198513122010011009,Tanggal Salah,,PNS,III/a,pelaksana,,,",  # month 13 in birth date
    "198503122010011007,Golongan Salah,,PNS,V/a,pelaksana,,,",
    "198503122010013005,,,PNS,III/a,pelaksana,,,",  # gender 3 and no name: one row, two errors
]


def csv_bytes(
    rows: list[str], *, sep: str = ",", header: str = HEADER, encoding: str = "utf-8"
) -> bytes:
    text = "\n".join([header.replace(",", sep), *[r.replace(",", sep) for r in rows]]) + "\n"
    return text.encode(encoding)


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def run(
    session: Session,
    world: World,
    data: bytes,
    *,
    dry_run: bool,
    filename: str = "asn.csv",
    actor: User | None = None,
) -> service.ImportReport:
    return service.run_import(
        session,
        data=data,
        filename=filename,
        instansi=world.instansi,
        actor=actor or world.hr,
        dry_run=dry_run,
    )


def test_preview_of_ten_good_and_three_bad_rows_lists_exactly_the_bad_rows(
    session: Session, world: World
) -> None:
    before = count_users(session)
    report = run(session, world, csv_bytes(GOOD + BAD), dry_run=True)
    assert report.created == 10
    assert report.error_rows == 3
    assert sorted({e.row for e in report.errors}) == [12, 13, 14]
    assert {(e.row, e.field) for e in report.errors} == {
        (12, "nip"),
        (13, "golongan"),
        (14, "nip"),
        (14, "nama"),
    }
    assert count_users(session) == before, "a preview writes nothing"


def test_commit_creates_ten_people_and_reimport_creates_none_but_updates_changes(
    session: Session, world: World
) -> None:
    before = count_users(session)
    first = run(session, world, csv_bytes(GOOD + BAD), dry_run=False)
    assert (first.created, first.updated) == (10, 0)
    assert count_users(session) == before + 10
    assert len(first.accounts) == 10

    asep = session.scalars(select(User).where(User.nip == "198503122010011002")).one()
    assert asep.instansi_id == world.instansi.id
    assert asep.golongan == "III/b"
    assert asep.must_change_password is True
    assert asep.unit is not None and asep.unit.code == "DISKOMINFO"
    cecep = session.scalars(select(User).where(User.nip == "198811112012121001")).one()
    assert cecep.golongan == "III/c", "golongan is normalised"

    again = run(session, world, csv_bytes(GOOD + BAD), dry_run=False)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)

    changed = [GOOD[0].replace("III/b", "III/c"), *GOOD[1:]]
    third = run(session, world, csv_bytes(changed), dry_run=False)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 9)
    session.refresh(asep)
    assert asep.golongan == "III/c"
    assert count_users(session) == before + 10


def test_units_are_created_once_and_matched_by_code(session: Session, world: World) -> None:
    run(session, world, csv_bytes(GOOD), dry_run=False)
    codes = session.scalars(select(Unit.code).where(Unit.instansi_id == world.instansi.id)).all()
    assert sorted(codes) == ["DISKOMINFO", "KEC.SALAWU", "KEC.SGP"]


def test_hr_cannot_import_into_another_instansi(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        service.run_import(
            session,
            data=csv_bytes(GOOD),
            filename="a.csv",
            instansi=world.other_instansi,
            actor=world.hr,
            dry_run=False,
        )


def test_person_of_another_instansi_is_not_taken_over(session: Session, world: World) -> None:
    row = f"{world.hr_other.nip},Nama Baru,,PNS,III/a,,,,"
    report = run(session, world, csv_bytes([row]), dry_run=False)
    assert [(e.field, e.message) for e in report.errors] == [("nip", service.NOT_IMPORTABLE)]
    session.refresh(world.hr_other)
    assert world.hr_other.name == "Dewi Lestari"


def test_semicolon_csv_with_bom_and_windows_1252_names_is_read(
    session: Session, world: World
) -> None:
    rows = ["198503122010011002,Asép Saepudin,,PNS,III/b,,,,"]
    bom = b"\xef\xbb\xbf" + csv_bytes(rows, sep=";")
    assert run(session, world, bom, dry_run=True).created == 1
    cp = csv_bytes(rows, sep=";", encoding="cp1252")
    report = run(session, world, cp, dry_run=False)
    assert report.created == 1
    assert (
        session.scalars(select(User.name).where(User.nip == "198503122010011002")).one()
        == "Asép Saepudin"
    )


def test_xlsx_is_read_and_a_nip_stored_as_a_number_is_reported(
    session: Session, world: World
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER.split(","))
    ws.append(GOOD[0].split(","))
    ws.append([198703152011012003, "Angka", "", "PNS", "", "", "", "", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    report = run(session, world, buffer.getvalue(), dry_run=True, filename="asn.xlsx")
    assert report.created == 1
    assert [(e.row, e.field) for e in report.errors] == [(3, "nip")]
    assert "format kolom sebagai Teks" in report.errors[0].message


def test_unknown_columns_are_reported_not_dropped(session: Session, world: World) -> None:
    data = csv_bytes(["198503122010011002,Asep,08123"], header="nip,nama,telepon")
    report = run(session, world, data, dry_run=True)
    assert [(e.row, e.field) for e in report.errors] == [(1, "telepon")]
    assert report.created == 1


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "a.csv", "Berkas kosong"),
        (b"nama,email\nAsep,a@b.c\n", "a.csv", "Kolom wajib tidak ditemukan: nip"),
        (b"PK\x03\x04garbage", "a.xlsx", "XLSX rusak"),
        (b"nip,nama\n", "a.xls", ".xls"),
        (b"\x00\x01\x02" * 50, "a.csv", "bukan CSV"),
        (b"nip,nama,nip\n1,2,3\n", "a.csv", "lebih dari sekali"),
    ],
)
def test_malformed_files_get_a_clear_error_and_write_nothing(
    session: Session, world: World, data: bytes, filename: str, message: str
) -> None:
    before = count_users(session)
    with pytest.raises(Invalid, match=message):
        run(session, world, data, dry_run=False, filename=filename)
    assert count_users(session) == before


def test_too_many_rows_are_refused(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "import_max_rows", 5)
    with pytest.raises(Invalid, match="lebih dari 5 baris"):
        run(session, world, csv_bytes(GOOD), dry_run=False)


def test_committed_import_is_audited_without_personal_data(session: Session, world: World) -> None:
    run(session, world, csv_bytes(GOOD), dry_run=False)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "people.import")).one()
    assert event.actor_id == world.hr.id
    assert event.detail["created"] == 10
    assert "198503122010011002" not in str(event.detail)


# --- through HTTP ------------------------------------------------------------------------


def test_hr_page_preview_then_commit_then_download_bad_rows(
    client: TestClient, session: Session, world: World
) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/import")
    page = client.post(
        "/hr/import",
        data={"csrf_token": token, "instansi": "3206"},
        files={"file": ("asn.csv", csv_bytes(GOOD + BAD), "text/csv")},
    )
    assert page.status_code == 200
    assert "Pratinjau impor" in page.text
    assert "Kesalahan per baris (4)" in page.text
    assert "10</span> pegawai baru" in page.text
    before = count_users(session)
    batch_id = int(page.text.split("/hr/import/")[1].split("/")[0])

    committed = client.post(
        f"/hr/import/{batch_id}/commit",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert committed.status_code == 303, "written by the worker, followed on the job page"
    job_url = committed.headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    waiting = client.get(job_url)
    assert "Menunggu giliran" in waiting.text and waiting.headers["refresh"] == "2"
    assert client.get(f"/api/v1/jobs/{job_id}").json()["status"] == "queued"
    assert count_users(session) == before, "nothing is written before the job runs"

    assert run_jobs(session) == 1
    done = client.get(job_url)
    assert "10 pegawai baru" in done.text and "refresh" not in done.headers
    assert count_users(session) == before + 10
    state = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (state["status"], state["percent"], state["result"]["created"]) == ("done", 100, 10)
    codes = [a["code"] for a in state["result"]["accounts"]]
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    forget = client.post(
        f"/hr/jobs/{job_id}/forget-codes", data={"csrf_token": csrf_from(done.text)}
    )
    assert forget.status_code == 200 and codes[0] not in forget.text
    assert client.get(f"/api/v1/jobs/{job_id}").json()["result"]["accounts"] == []

    again = client.post(f"/hr/import/{batch_id}/commit", data={"csrf_token": csrf_from(page.text)})
    assert again.status_code == 409, "a batch is committed once"

    bad = client.get(f"/hr/import/{batch_id}/errors.csv")
    assert bad.status_code == 200
    lines = bad.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].endswith(";kesalahan")
    assert len(lines) == 4
    assert "tanggal lahir 1985-13-12 tidak valid" in lines[1]
    from app.models import ImportBatch

    kept = session.get(ImportBatch, batch_id)
    assert kept is not None
    session.refresh(kept)
    assert b"198001012005011001" not in kept.data, "imported rows' personal data is not kept"

    login(client, world.hr_other.nip or "")
    assert client.get(job_url).status_code == 404, "only the person who started a job sees it"
    assert client.get(f"/api/v1/jobs/{job_id}").status_code in (401, 404)


def test_hr_of_another_instansi_cannot_open_or_commit_the_batch(
    client: TestClient, world: World
) -> None:
    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/import")
    page = client.post(
        "/hr/import",
        data={"csrf_token": token},
        files={"file": ("asn.csv", csv_bytes(GOOD), "text/csv")},
    )
    batch_id = int(page.text.split("/hr/import/")[1].split("/")[0])
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})

    login(client, world.hr_other.nip or "")
    token = form_token(client, "/hr/import")
    assert client.get(f"/hr/import/{batch_id}/errors.csv").status_code == 404
    assert (
        client.post(f"/hr/import/{batch_id}/commit", data={"csrf_token": token}).status_code == 404
    )


def test_api_import_dry_run_then_commit(client: TestClient, session: Session, world: World) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": world.hr.nip, "password": "Rahasia-Uji-123"}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    files = {"file": ("asn.csv", csv_bytes(GOOD + BAD), "text/csv")}
    dry = client.post("/api/v1/people/import?dry_run=true", headers=headers, files=files)
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["dry_run"] is True and body["created"] == 10 and body["updated"] == 0
    assert {e["row"] for e in body["errors"]} == {12, 13, 14}
    assert set(body["errors"][0]) == {"row", "field", "message"}

    files = {"file": ("asn.csv", csv_bytes(GOOD + BAD), "text/csv")}
    before = count_users(session)
    answer = client.post("/api/v1/people/import?dry_run=false", headers=headers, files=files)
    assert answer.status_code == 202, "written by a background job"
    real = answer.json()
    assert real["created"] == 10 and real["job_id"]
    assert count_users(session) == before
    assert run_jobs(session) == 1
    assert count_users(session) == before + 10
    job = client.get(f"/api/v1/jobs/{real['job_id']}", headers=headers).json()
    assert (job["status"], job["result"]["created"]) == ("done", 10)

    files = {"file": ("asn.csv", csv_bytes(GOOD), "text/csv")}
    other = client.post(
        "/api/v1/people/import?dry_run=false&instansi=3207", headers=headers, files=files
    )
    assert other.status_code == 403
    assert "instansi Anda sendiri" in other.json()["detail"]


def test_api_import_of_a_malformed_file_is_a_422_with_a_message(
    client: TestClient, world: World
) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": world.hr.nip, "password": "Rahasia-Uji-123"}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    response = client.post(
        "/api/v1/people/import",
        headers=headers,
        files={"file": ("a.xlsx", b"PK\x03\x04broken", "application/octet-stream")},
    )
    assert response.status_code == 422
    assert "XLSX rusak" in response.json()["detail"]


def test_learner_cannot_use_the_import_api(client: TestClient, world: World) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"username": world.learner.nip, "password": "Rahasia-Uji-123"}
    ).json()
    response = client.post(
        "/api/v1/people/import",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        files={"file": ("a.csv", csv_bytes(GOOD), "text/csv")},
    )
    assert response.status_code == 403


def test_an_import_whose_worker_died_is_resumed_once(
    client: TestClient, session: Session, world: World
) -> None:
    """A job left `running` with no progress for 10 minutes goes back to the queue and
    finishes; a job still being worked on is left alone."""
    from datetime import timedelta

    from app.core import clock
    from app.models import Job
    from app.people import tasks

    login(client, world.hr.nip or "")
    token = form_token(client, "/hr/import")
    page = client.post(
        "/hr/import",
        data={"csrf_token": token, "instansi": "3206"},
        files={"file": ("asn.csv", csv_bytes(GOOD), "text/csv")},
    )
    batch_id = int(page.text.split("/hr/import/")[1].split("/")[0])
    client.post(f"/hr/import/{batch_id}/commit", data={"csrf_token": csrf_from(page.text)})
    from app.jobs import queue

    queue.huey.flush()  # the worker that took it died: its queue entry is gone
    job = session.scalars(select(Job)).one()
    job.status, job.updated_at = "running", clock.now() - timedelta(minutes=11)
    session.commit()

    tasks.sweep_stalled_imports.call_local()
    assert run_jobs(session) == 1
    session.refresh(job)
    assert job.status == "done" and job.result["created"] == 10

    job.status, job.updated_at = "running", clock.now() - timedelta(minutes=2)
    session.commit()
    tasks.sweep_stalled_imports.call_local()
    assert run_jobs(session) == 0, "a job with recent progress is not taken from its worker"


def test_uploaded_files_are_deleted_after_thirty_days(session: Session, world: World) -> None:
    from datetime import timedelta

    from app.core import clock
    from app.models import ImportBatch
    from app.people import tasks

    def upload(days_ago: int, status: str) -> int:
        batch = service.save_batch(
            session,
            data=b"nip,nama\n",
            filename="pegawai.csv",
            instansi=world.instansi,
            actor=world.hr,
            report=service.ImportReport(dry_run=True),
        )
        batch.status = status
        batch.created_at = clock.now() - timedelta(days=days_ago)
        session.flush()
        return batch.id

    old_preview, old_committed = upload(31, "preview"), upload(40, "committed")
    recent, queued = upload(2, "preview"), upload(45, "queued")
    session.commit()
    tasks.purge_old_uploads.call_local()
    session.expire_all()
    assert session.get(ImportBatch, old_preview) is None
    assert session.get(ImportBatch, old_committed) is None
    assert session.get(ImportBatch, recent) is not None
    assert session.get(ImportBatch, queued) is not None
