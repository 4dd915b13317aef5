"""The completion rule (ARCHITECTURE.md rule 13) and the actions that may satisfy it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.assessments import service as assessments
from app.certificates import service as certificates
from app.core import clock
from app.core.errors import NotFound
from app.courses import repository as courses
from app.courses.outline import LessonOutline, ModuleOutline, Outline
from app.evaluations import service as evaluations
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Attempt, Certificate, Enrollment, LessonProgress, User


def complete_lesson(
    session: Session,
    *,
    enrollment: Enrollment,
    module: ModuleOutline,
    lesson: LessonOutline,
    version: Outline | None = None,
) -> LessonProgress:
    """Mark a lesson done (idempotent; not before the pre-test), then see whether the course
    is now complete. `version` is the enrolment's, when the caller has it at hand."""
    version = version or courses.outline(session, enrollment.version_id)
    assert version is not None and version.id == enrollment.version_id
    row = learning.complete_lesson(
        session, enrollment=enrollment, version=version, module=module, lesson=lesson
    )
    check(session, enrollment_id=enrollment.id)
    return row


def submit_attempt(session: Session, *, attempt_id: int) -> Attempt:
    """Grade an attempt once; a passed post-test may complete the course."""
    attempt = assessments.submit(session, attempt_id=attempt_id)
    if attempt.kind == "posttest" and attempt.passed:
        check(session, enrollment_id=attempt.enrollment_id)
    return attempt


def submit_evaluation(
    session: Session,
    *,
    enrollment: Enrollment,
    version: Outline,
    form_id: str,
    answers: dict[str, Any],
    comment: str | None,
    trainer_id: int | None = None,
) -> None:
    """Record an evaluation (the trainer form: about one trainer of the learner's run); the
    last one required releases the certificate: every form filled, the trainer form once per
    trainer of her run (evaluations.all_done)."""
    evaluations.submit(
        session,
        enrollment=enrollment,
        version=version,
        form_id=form_id,
        answers=answers,
        comment=comment,
        trainer_id=trainer_id,
    )
    locked = learning_repository.enrollment_by_id(session, enrollment.id, for_update=True)
    assert locked is not None
    issue_certificate_if_due(session, enrollment=locked)


def check(session: Session, *, enrollment_id: int) -> bool:
    """Record completion once, with its date, and credit the course's JP for that year.

    The enrolment row is locked first (FOR UPDATE on PostgreSQL; the IMMEDIATE transaction on
    SQLite), and jp_entry.enrollment_id is unique, so parallel requests credit JP once."""
    enrollment = learning_repository.enrollment_by_id(session, enrollment_id, for_update=True)
    if enrollment is None:
        raise NotFound()
    if enrollment.status == "completed":
        return True
    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    rule = version.completion
    if rule.get("lessons", "all") == "all":
        done = learning_repository.completed_keys(session, enrollment.id)
        needed = {learning.lesson_key(m, les) for m, les in version.lessons()}
        if not needed <= done:
            return False
    if (
        rule.get("posttest", "required") == "required"
        and version.has_posttest
        and not assessments.posttest_passed(session, enrollment_id=enrollment.id)
    ):
        return False
    now = clock.now()
    enrollment.status = "completed"
    enrollment.completed_at = now
    session.flush()
    learning.credit_jp(session, enrollment=enrollment, version=version, at=now)
    issue_certificate_if_due(session, enrollment=enrollment)
    return True


def issue_certificate_if_due(session: Session, *, enrollment: Enrollment) -> None:
    """A completed enrolment gets its certificate once its required evaluations are filled
    (numbered now; rendered and signed by a job after the commit)."""
    if enrollment.status != "completed":
        return
    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    if version.completion.get("evaluations", "required") == "required" and not evaluations.all_done(
        session, enrollment=enrollment, version=version
    ):
        return
    certificates.issue(session, enrollment=enrollment, version=version)


def revoke_certificate(
    session: Session, *, certificate: Certificate, reason: str, actor: User | None
) -> None:
    """Revoke a certificate and take its JP out of the holder's ledger, in one transaction: a
    revoked certificate counts for nothing (PRODUCT.md §2). The enrolment stays completed,
    so nothing credits the JP again."""
    locked = learning_repository.enrollment_by_id(
        session, certificate.enrollment_id, for_update=True
    )
    assert locked is not None
    certificates.check_revocable(certificate=certificate, reason=reason)
    jp = learning.withdraw_jp(session, enrollment_id=certificate.enrollment_id)
    certificates.revoke(
        session, certificate=certificate, reason=reason, actor=actor, jp_withdrawn=jp
    )
