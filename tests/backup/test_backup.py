"""Backups and restores: the restore drill across engines, a backup taken while answers are
being saved, and the refusals (a non-empty target, a wrong passphrase, a tampered file)."""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app.assessments import service as assessments
from app.backup import schema
from app.backup.dump import create_backup
from app.backup.restore import RestoreRefused, restore_backup
from app.completion import service as completion
from app.config import get_settings
from app.core import clock
from app.core.db import Database, build_engine
from app.courses import service as courses
from app.evaluations import service as evaluations
from app.jobs import queue
from app.learning import service as learning
from app.main import create_app
from app.models import Answer, Attempt, Unit
from tests import factories
from tests.backup.conftest import HAS_POSTGRES, EmptyDatabase
from tests.conftest import COURSES
from tests.learning.helpers import finish_lessons, right

PASSPHRASE = "kata sandi cadangan yang panjang"
# The drill goes to the other kind of database whenever the run has PostgreSQL.
DIRECTIONS = (
    [("sqlite", "postgresql"), ("postgresql", "sqlite")] if HAS_POSTGRES else [("sqlite", "sqlite")]
)


@dataclass(frozen=True)
class Seen:
    """What the learner sees of herself through the app."""

    jp: int
    certificates: list[dict[str, Any]]
    pdf: bytes
    verification: dict[str, Any]


def _migrated(empty_database: EmptyDatabase, kind: str) -> Database:
    url = empty_database(kind)
    schema.upgrade(url)
    return Database(url)


def _with_learning(db: Database) -> str:
    """Courses, units (one whose parent came later), a learner with a completed course and a
    rendered certificate; her NIP."""
    with db.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206", name="Pemerintah Kabupaten Tasikmalaya")
        child = factories.UnitFactory(instansi=inst, code="KEC.SGP", name="Kecamatan Singaparna")
        parent = factories.UnitFactory(instansi=inst, code="SETDA", name="Sekretariat Daerah")
        s.flush()
        child.parent_id = parent.id  # a parent with a larger id than its child
        learner = factories.UserFactory(
            instansi_id=inst.id,
            unit_id=child.id,
            name="Rina Marlina, S.E. — Ñuñez",
            golongan="III/b",
            jabatan="Pengolah Data «Kependudukan»",
        )
        version = courses.published_course(s, slug="smart-governance")
        enrollment = learning.enrol(s, user=learner, version=version)
        finish_lessons(s, enrollment)
        attempt = assessments.start_attempt(
            s, enrollment=enrollment, quiz=assessments.quiz_of(version, kind="posttest")
        )
        for item in assessments.paper(s, attempt=attempt):
            assessments.save_answer(
                s, attempt=attempt, question_key=item.question.key, response=right(item.question)
            )
        completion.submit_attempt(s, attempt_id=attempt.id)
        for form in evaluations.DEFAULT_FORMS:
            completion.submit_evaluation(
                s,
                enrollment=enrollment,
                version=version,
                form_id=form["id"],
                answers={q["id"]: 4 for q in form["questions"]},
                comment="Materi jelas; contoh “Satu Data” membantu 🎓 日本語 \U0001f600 ẞ",
            )
        nip = learner.nip
    queue.use_database(db)
    try:
        queue.run_pending()  # the certificate is rendered and signed, as the worker would
    finally:
        queue.use_database(None)
    assert nip is not None
    return nip


def _seen(db: Database, nip: str) -> Seen:
    """Log in through the app with the learner's password; her JP, certificates, the PDF and
    the public verification."""
    app = create_app(get_settings(), database=db)
    with TestClient(app, base_url="http://testserver") as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": nip, "password": factories.PASSWORD}
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        me = client.get("/api/v1/me", headers=headers).json()
        certificates = client.get("/api/v1/me/certificates", headers=headers).json()
        assert len(certificates) == 1 and certificates[0]["status"] == "valid", certificates
        pdf = client.get(f"/api/v1/certificates/{certificates[0]['id']}/pdf", headers=headers)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        verification = client.get(f"/api/v1/verify/{certificates[0]['verification_code']}")
        assert verification.status_code == 200
    return Seen(me["jp_this_year"], certificates, pdf.content, verification.json())


def _contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the ORM's column types read it, in primary-key order."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [
                    tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns)).all()
                ]
                for t in schema.tables()
            }
    finally:
        engine.dispose()


@pytest.mark.parametrize(("source_kind", "target_kind"), DIRECTIONS)
def test_restore_drill_brings_back_every_row_login_jp_and_certificate_bytes(
    empty_database: EmptyDatabase, tmp_path: Path, source_kind: str, target_kind: str
) -> None:
    source = _migrated(empty_database, source_kind)
    nip = _with_learning(source)
    before = _seen(source, nip)
    assert before.jp == 6
    archive = tmp_path / "cakap.cakapbak"
    made = create_backup(url=source.url, output=archive, passphrase=PASSPHRASE)
    assert made.encrypted and made.size == archive.stat().st_size
    assert b"%PDF" not in archive.read_bytes() and nip.encode() not in archive.read_bytes()

    target_url = empty_database(target_kind)  # no schema: the restore creates it
    restored = restore_backup(url=target_url, source=archive, passphrase=PASSPHRASE)
    assert restored.rows == made.rows

    original, copy = _contents(source.url), _contents(target_url)
    audit = copy.pop("audit_event")
    assert audit[:-1] == original.pop("audit_event"), "the restore adds one audit entry"
    assert "backup.restore" in audit[-1]
    for name, rows in original.items():
        assert copy[name] == rows, f"{name} differs after the restore"
    assert any(rows for rows in original.values() if rows)

    target = Database(target_url)
    try:
        after = _seen(target, nip)
        assert after.jp == before.jp
        assert after.certificates == before.certificates  # number, code, issued_at, JP
        assert after.pdf == before.pdf, "the certificate downloads byte-identical"
        assert after.verification == before.verification
        assert after.verification["status"] == "valid"
        # New rows take new ids after the restore (PostgreSQL's sequences were moved on).
        with target.unit_of_work() as s:
            child = s.scalars(select(Unit).where(Unit.code == "KEC.SGP")).one()
            parent = s.get(Unit, child.parent_id)
            assert parent is not None and parent.code == "SETDA" and parent.id > child.id
            factories.bind(s)
            inst_id = s.scalars(select(Unit.instansi_id)).first()
            newcomer = factories.UserFactory(instansi_id=inst_id)
            s.flush()
            assert newcomer.id > max(row[0] for row in original["user_account"])
    finally:
        target.dispose()
        source.dispose()


def test_restore_into_a_database_that_holds_data_is_refused_and_changes_nothing(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    kind = "postgresql" if HAS_POSTGRES else "sqlite"
    source = _migrated(empty_database, kind)
    try:
        with source.unit_of_work() as s:
            factories.bind(s)
            factories.UserFactory(instansi_id=factories.InstansiFactory(code="3206").id)
        archive = tmp_path / "a.cakapbak"
        create_backup(url=source.url, output=archive, passphrase=PASSPHRASE)
        target = _migrated(empty_database, "sqlite")
        with target.unit_of_work() as s:
            factories.bind(s)
            factories.InstansiFactory(code="9999", name="Instansi lain")
        before = _contents(target.url)
        with pytest.raises(RestoreRefused, match="tidak kosong"):
            restore_backup(url=target.url, source=archive, passphrase=PASSPHRASE)
        assert _contents(target.url) == before
        target.dispose()
    finally:
        source.dispose()


def test_wrong_passphrase_is_refused_with_a_message_and_touches_nothing(
    empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    source = _migrated(empty_database, "sqlite")
    archive = tmp_path / "a.cakapbak"
    create_backup(url=source.url, output=archive, passphrase=PASSPHRASE)
    source.dispose()
    target_url = empty_database("sqlite")
    with pytest.raises(RestoreRefused, match="Frasa sandi salah"):
        restore_backup(url=target_url, source=archive, passphrase="bukan sandinya")
    with pytest.raises(RestoreRefused, match="terenkripsi"):
        restore_backup(url=target_url, source=archive, passphrase=None)
    assert not Path(target_url.removeprefix("sqlite:///")).exists(), "no schema was created"


def test_an_empty_passphrase_is_refused() -> None:
    from app.backup.crypto import BackupCryptoError, EncryptingWriter

    with pytest.raises(BackupCryptoError):
        EncryptingWriter(io.BytesIO(), "   ")


def test_a_tampered_file_is_refused(empty_database: EmptyDatabase, tmp_path: Path) -> None:
    source = _migrated(empty_database, "sqlite")
    with source.unit_of_work() as s:
        factories.bind(s)
        factories.UserFactory(instansi_id=factories.InstansiFactory(code="3206").id)
    sealed = tmp_path / "sealed.cakapbak"
    plain = tmp_path / "plain.zip"
    create_backup(url=source.url, output=sealed, passphrase=PASSPHRASE)
    create_backup(url=source.url, output=plain, passphrase=None)
    source.dispose()

    # Encrypted: one flipped byte in the middle fails the chunk's authentication.
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01
    sealed.write_bytes(bytes(data))
    with pytest.raises(RestoreRefused, match="diubah"):
        restore_backup(url=empty_database("sqlite"), source=sealed, passphrase=PASSPHRASE)

    # Plain: a table rewritten inside a valid zip fails the manifest's checksum.
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            content = zin.read(info.filename)
            if info.filename.endswith("-user_account.jsonl"):
                content = content.replace(b"Rahasia", b"rahasia").replace(b"argon2", b"argon3")
            zout.writestr(info.filename, content)
    target_url = empty_database("sqlite")
    with pytest.raises(RestoreRefused, match="Checksum"):
        restore_backup(url=target_url, source=tampered, passphrase=None)
    assert not Path(target_url.removeprefix("sqlite:///")).exists()


def _attempts(db: Database, learners: int) -> list[int]:
    """Learners each with a pre-test attempt open in every course; the attempt ids."""
    ids = []
    with db.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        versions = [courses.published_course(s, slug=slug) for slug in _slugs()]
        for _ in range(learners):
            user = factories.UserFactory(instansi_id=inst.id)
            for version in versions:
                enrollment = learning.enrol(s, user=user, version=version)
                quiz = assessments.quiz_of(version, kind="pretest")
                ids.append(assessments.start_attempt(s, enrollment=enrollment, quiz=quiz).id)
    return ids


def _slugs() -> list[str]:
    return sorted(p.name for p in COURSES.iterdir() if (p / "pretest.yaml").is_file())


def test_backup_taken_while_answers_are_saved_holds_every_answer_saved_before_it(
    real_database: Database, empty_database: EmptyDatabase, tmp_path: Path
) -> None:
    """Threads save answers (each its own transaction, as the API does) before, during and
    after the backup: none fails, and every answer acknowledged before the snapshot is in it."""
    threads = 4
    attempt_ids = _attempts(real_database, learners=8)
    with real_database.unit_of_work(write=False) as s:
        work = [
            (a.id, item.question.key, right(item.question))
            for a in s.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids)))
            for item in assessments.paper(s, attempt=a)
        ]
    acked: list[tuple[int, str, Any, datetime]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    stop = threading.Event()
    started = threading.Barrier(threads + 1)

    def save(attempt_id: int, key: str, response: Any) -> None:
        with real_database.unit_of_work() as s:
            attempt = s.get(Attempt, attempt_id)
            assert attempt is not None
            assessments.save_answer(s, attempt=attempt, question_key=key, response=response)
        with lock:
            acked.append((attempt_id, key, response, clock.now()))

    def saver(mine: list[tuple[int, str, Any]]) -> None:
        started.wait()
        try:
            for item in mine:  # new answers
                save(*item)
            while not stop.is_set():  # then the same answers again: load until the end
                for item in mine[:5]:
                    save(*item)
        except BaseException as exc:  # reported below
            errors.append(exc)

    workers = [threading.Thread(target=saver, args=(work[i::threads],)) for i in range(threads)]
    for t in workers:
        t.start()
    started.wait()
    while len(acked) < len(work) // 4 and not errors:
        stop.wait(0.01)
    archive = tmp_path / "live.cakapbak"
    try:
        made = create_backup(url=real_database.url, output=archive, passphrase=PASSPHRASE)
        finished = clock.now()
    finally:
        stop.set()
        for t in workers:
            t.join(120)
    assert not errors, errors
    with lock:
        before = [a for a in acked if a[3] < made.snapshot_at]
        during = [a for a in acked if made.snapshot_at < a[3] < finished]
    assert before, "answers were saved before the snapshot"
    assert during, "answers were saved while the backup ran"

    target_url = empty_database("sqlite")
    restore_backup(url=target_url, source=archive, passphrase=PASSPHRASE)
    restored = Database(target_url)
    try:
        with restored.unit_of_work(write=False) as s:
            kept = {(a.attempt_id, a.question_key): a.response for a in s.scalars(select(Answer))}
            total = s.scalar(select(func.count()).select_from(Answer))
    finally:
        restored.dispose()
    with real_database.unit_of_work(write=False) as s:
        saved = {(a.attempt_id, a.question_key): a.response for a in s.scalars(select(Answer))}
    assert len(saved) == len(work), "every answer was saved"
    # The same response was saved each time, so the backup holds what the source holds now.
    lost = [(a, k) for a, k, _, _ in before if kept.get((a, k), "missing") != saved[(a, k)]]
    assert not lost, f"{len(lost)} answers saved before the snapshot are missing"
    assert len({(a, k) for a, k, _, _ in before}) <= (total or 0) <= len(work)
