"""The job worker as deployed: `cakap worker` processes taking jobs from a shared queue.

Several nodes share Redis (CAKAP_JOBS_URL); each job runs on one node only, and a job that runs
again (a retry, the sweep) changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.assessments import service as assessments
from app.completion import service as completion
from app.config import ROOT
from app.core.db import Database
from app.courses import service as courses
from app.evaluations import service as evaluations
from app.learning import service as learning
from app.models import Certificate, CertificateRevision
from tests import factories
from tests.conftest import COURSES
from tests.learning.helpers import finish_lessons, right

REDIS_URL = os.environ.get("CAKAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _complete_courses(db: Database, n: int) -> list[int]:
    """n learners complete a course: n certificates numbered, waiting for their files."""
    with db.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        version = courses.published_course(s, slug="smart-governance")
        for _ in range(n):
            enrollment = learning.enrol(
                s, user=factories.UserFactory(instansi_id=inst.id), version=version
            )
            finish_lessons(s, enrollment)
            attempt = assessments.start_attempt(
                s, enrollment=enrollment, quiz=assessments.quiz_of(version, kind="posttest")
            )
            for item in assessments.paper(s, attempt=attempt):
                assessments.save_answer(
                    s,
                    attempt=attempt,
                    question_key=item.question.key,
                    response=right(item.question),
                )
            completion.submit_attempt(s, attempt_id=attempt.id)
            for form in evaluations.DEFAULT_FORMS:
                completion.submit_evaluation(
                    s,
                    enrollment=enrollment,
                    version=version,
                    form_id=form["id"],
                    answers={q["id"]: 4 for q in form["questions"]},
                    comment=None,
                )
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(Certificate.id).where(Certificate.status == "pending")))


def _env(db: Database, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CAKAP_DATABASE_URL=db.url,
        CAKAP_JOBS_URL=REDIS_URL,
        # A queue of this test's own: another run on the same Redis never takes its jobs.
        CAKAP_JOBS_QUEUE=f"cakap-test-{uuid.uuid4().hex}",
        CAKAP_DATA_DIR=str(tmp_path / "data"),
    )
    return env


def test_two_worker_nodes_on_redis_render_each_certificate_once(
    real_database: Database, tmp_path: Path
) -> None:
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis is needed at {REDIS_URL} (set CAKAP_TEST_REDIS_URL)")
    ids = _complete_courses(real_database, 6)
    assert len(ids) == 6
    env = _env(real_database, tmp_path)
    # Enqueue on the Redis queue, as a web node configured with CAKAP_JOBS_URL does.
    enqueue = "from app.certificates import tasks\n" + "".join(
        f"tasks.render_certificate({i})\n" for i in ids
    )
    subprocess.run([sys.executable, "-c", enqueue], env=env, cwd=ROOT, check=True, timeout=60)

    logs = [tmp_path / f"worker-{n}.log" for n in range(2)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "worker", "--threads", "2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("wb"),
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 120
        while True:
            with real_database.unit_of_work(write=False) as s:
                pending = s.scalar(
                    select(func.count()).select_from(Certificate).where(Certificate.sha256 == "")
                )
            if pending == 0:
                break
            assert time.monotonic() < deadline, f"{pending} certificates still pending"
            time.sleep(0.5)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        for key in server.scan_iter(f"*{env['CAKAP_JOBS_QUEUE']}*"):
            server.delete(key)

    executed = [
        line
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if "Executing app.certificates.tasks.render_certificate" in line
    ]
    assert len(executed) == len(ids), "each job ran on exactly one node"
    with real_database.unit_of_work(write=False) as s:
        certs = list(s.scalars(select(Certificate)))
        assert all(c.status == "valid" and c.pdf.startswith(b"%PDF-") for c in certs)
        assert s.scalar(select(func.count()).select_from(CertificateRevision)) == 0


def test_a_certificate_job_run_twice_changes_nothing(real_database: Database) -> None:
    from app.certificates import service as certificates

    [cid] = _complete_courses(real_database, 1)
    assert certificates.render_pending(real_database, certificate_id=cid) is True
    with real_database.unit_of_work(write=False) as s:
        first = s.get(Certificate, cid)
        assert first is not None
        sha = first.sha256
    assert certificates.render_pending(real_database, certificate_id=cid) is False
    with real_database.unit_of_work(write=False) as s:
        again = s.get(Certificate, cid)
        assert again is not None and again.sha256 == sha
