"""Parallel duplicate requests, each in its own transaction on its own connection, on SQLite
(BEGIN IMMEDIATE) and PostgreSQL (SELECT … FOR UPDATE, unique constraints)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from app.assessments import service as assessments
from app.completion import service as completion
from app.core.db import Database
from app.courses import repository as outlines
from app.courses import service as courses
from app.learning import service as learning
from app.models import Answer, Attempt, JpEntry, User
from tests import factories
from tests.conftest import COURSES
from tests.learning.helpers import finish_lessons, right

N = 20


def _parallel(n: int, work: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def _setup(db: Database) -> tuple[int, int]:
    with db.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        user = factories.UserFactory(instansi_id=inst.id)
        version = courses.published_course(s, slug="smart-governance")
        enrollment = learning.enrol(s, user=user, version=version)
        return user.id, enrollment.id


def _start(db: Database, enrollment_id: int, kind: str = "posttest") -> int:
    with db.unit_of_work() as s:
        enrollment = learning.repository.enrollment_by_id(s, enrollment_id)
        assert enrollment is not None
        version = outlines.outline(s, enrollment.version_id)
        assert version is not None
        quiz = assessments.quiz_of(version, kind=kind)
        return assessments.start_attempt(s, enrollment=enrollment, quiz=quiz).id


def test_parallel_start_attempt_gives_one_attempt(real_database: Database) -> None:
    _, enrollment_id = _setup(real_database)
    ids = _parallel(N, lambda: _start(real_database, enrollment_id, kind="pretest"))
    assert len(set(ids)) == 1
    with real_database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Attempt)) == 1


def _answer_all(db: Database, attempt_id: int) -> None:
    with db.unit_of_work() as s:
        attempt = assessments.repository.attempt(s, attempt_id)
        assert attempt is not None
        for item in assessments.paper(s, attempt=attempt):
            assessments.save_answer(
                s, attempt=attempt, question_key=item.question.key, response=right(item.question)
            )


def test_parallel_saves_of_one_answer_leave_one_row(real_database: Database) -> None:
    _, enrollment_id = _setup(real_database)
    attempt_id = _start(real_database, enrollment_id, kind="pretest")

    def save() -> None:
        with real_database.unit_of_work() as s:
            attempt = assessments.repository.attempt(s, attempt_id)
            assert attempt is not None
            item = assessments.paper(s, attempt=attempt)[0]
            assessments.save_answer(
                s, attempt=attempt, question_key=item.question.key, response=right(item.question)
            )

    _parallel(N, save)
    with real_database.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Answer)) == 1


def test_parallel_submissions_give_one_graded_result_and_jp_once(real_database: Database) -> None:
    user_id, enrollment_id = _setup(real_database)
    with real_database.unit_of_work() as s:
        enrollment = learning.repository.enrollment_by_id(s, enrollment_id)
        assert enrollment is not None
        version = outlines.outline(s, enrollment.version_id)
        assert version is not None
        finish_lessons(s, enrollment)
    attempt_id = _start(real_database, enrollment_id)
    _answer_all(real_database, attempt_id)

    def submit() -> tuple[float | None, object]:
        with real_database.unit_of_work() as s:
            graded = completion.submit_attempt(s, attempt_id=attempt_id)
            return graded.score, graded.submitted_at

    results = _parallel(N, submit)
    assert len(set(results)) == 1, "every caller sees the one graded result"
    with real_database.unit_of_work(write=False) as s:
        assert (
            s.scalar(select(func.count()).select_from(JpEntry).where(JpEntry.user_id == user_id))
            == 1
        )
        assert learning.repository.enrollment_by_id(s, enrollment_id).status == "completed"  # type: ignore[union-attr]


def test_parallel_completions_credit_jp_once(real_database: Database) -> None:
    """Every rule met at once (lessons, a passed post-test graded without the completion
    check), then many requests run the check together: one completion, one JP entry."""
    user_id, enrollment_id = _setup(real_database)
    with real_database.unit_of_work() as s:
        enrollment = learning.repository.enrollment_by_id(s, enrollment_id)
        assert enrollment is not None
        finish_lessons(s, enrollment)
    attempt_id = _start(real_database, enrollment_id)
    _answer_all(real_database, attempt_id)
    with real_database.unit_of_work() as s:
        assert assessments.submit(s, attempt_id=attempt_id).passed

    def complete_last() -> None:
        with real_database.unit_of_work() as s:
            assert completion.check(s, enrollment_id=enrollment_id)

    _parallel(N, complete_last)
    with real_database.unit_of_work(write=False) as s:
        entries = s.scalars(select(JpEntry).where(JpEntry.user_id == user_id)).all()
        assert len(entries) == 1 and entries[0].jp == 6
        assert s.get(User, user_id) is not None


def test_parallel_completions_of_different_learners_number_certificates_without_gaps(
    real_database: Database,
) -> None:
    from app.evaluations import service as evaluations
    from app.models import Certificate

    n = 100
    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        version = courses.published_course(s, slug="smart-governance")
        ids = []
        for _ in range(n):
            user = factories.UserFactory(instansi_id=inst.id)
            enrollment = learning.enrol(s, user=user, version=version)
            finish_lessons(s, enrollment)
            quiz = assessments.quiz_of(version, kind="posttest")
            attempt = assessments.start_attempt(s, enrollment=enrollment, quiz=quiz)
            for item in assessments.paper(s, attempt=attempt):
                assessments.save_answer(
                    s,
                    attempt=attempt,
                    question_key=item.question.key,
                    response=right(item.question),
                )
            completion.submit_attempt(s, attempt_id=attempt.id)
            completion.submit_evaluation(
                s,
                enrollment=enrollment,
                version=version,
                form_id="pengajar",
                answers={q["id"]: 4 for q in evaluations.DEFAULT_FORMS[0]["questions"]},
                comment=None,
            )
            ids.append(enrollment.id)
    pending = list(ids)
    lock = threading.Lock()

    def last_form() -> None:
        with lock:
            enrollment_id = pending.pop()
        with real_database.unit_of_work() as s:
            enrollment = learning.repository.enrollment_by_id(s, enrollment_id)
            assert enrollment is not None
            version = outlines.outline(s, enrollment.version_id)
            assert version is not None
            completion.submit_evaluation(
                s,
                enrollment=enrollment,
                version=version,
                form_id="penyelenggaraan",
                answers={q["id"]: 5 for q in evaluations.DEFAULT_FORMS[1]["questions"]},
                comment=None,
            )

    _parallel(n, last_form)
    with real_database.unit_of_work(write=False) as s:
        seqs = sorted(s.scalars(select(Certificate.seq)))
    assert seqs == list(range(1, n + 1))


def test_batch_reissue_renders_in_several_processes(real_database: Database) -> None:
    from app.certificates.batch import reissue_course
    from app.evaluations import service as evaluations
    from app.models import Certificate, CertificateRevision

    with real_database.unit_of_work() as s:
        courses.import_courses(s, path=COURSES)
        factories.bind(s)
        inst = factories.InstansiFactory(code="3206")
        version = courses.published_course(s, slug="smart-governance")
        for _ in range(3):
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
        before = {c.id: c.sha256 for c in s.scalars(select(Certificate))}
        for cert in s.scalars(select(Certificate)):
            cert.user.jabatan = "Analis Kebijakan Ahli Muda"  # corrected data: new files differ
    seen: list[tuple[int, int]] = []
    assert (
        reissue_course(
            real_database,
            course_code="SGOV",
            year=None,
            reason="Uji penerbitan ulang",
            processes=2,
            progress=lambda done, total: seen.append((done, total)),
        )
        == 3
    )
    assert seen[-1] == (3, 3)
    with real_database.unit_of_work(write=False) as s:
        after = {c.id: c.sha256 for c in s.scalars(select(Certificate))}
        assert set(after) == set(before) and all(after[i] != before[i] for i in before)
        assert s.scalar(select(func.count()).select_from(CertificateRevision)) == 3
