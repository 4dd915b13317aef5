from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models import (
    Answer,
    Attempt,
    AuditEvent,
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    EvaluationReceipt,
    ExternalTraining,
    JpEntry,
    LessonProgress,
    UserSession,
)


def enrolments(
    session: Session, user_id: int
) -> Sequence[tuple[Enrollment, Course, CourseVersion]]:
    stmt = (
        select(Enrollment, Course, CourseVersion)
        .join(Course, Enrollment.course_id == Course.id)
        .join(CourseVersion, Enrollment.version_id == CourseVersion.id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.enrolled_at)
    )
    return [(e, c, v) for e, c, v in session.execute(stmt).all()]


def lessons_done(session: Session, enrollment_ids: list[int]) -> Sequence[LessonProgress]:
    stmt = (
        select(LessonProgress)
        .where(LessonProgress.enrollment_id.in_(enrollment_ids))
        .order_by(LessonProgress.completed_at)
    )
    return list(session.scalars(stmt))


def attempts(session: Session, enrollment_ids: list[int]) -> Sequence[Attempt]:
    stmt = (
        select(Attempt)
        .where(Attempt.enrollment_id.in_(enrollment_ids))
        .order_by(Attempt.started_at)
    )
    return list(session.scalars(stmt))


def answers(session: Session, attempt_ids: list[int]) -> Sequence[Answer]:
    stmt = select(Answer).where(Answer.attempt_id.in_(attempt_ids)).order_by(Answer.id)
    return list(session.scalars(stmt))


def receipts(session: Session, enrollment_ids: list[int]) -> Sequence[EvaluationReceipt]:
    stmt = select(EvaluationReceipt).where(EvaluationReceipt.enrollment_id.in_(enrollment_ids))
    return list(session.scalars(stmt))


def jp_entries(session: Session, user_id: int) -> Sequence[JpEntry]:
    stmt = select(JpEntry).where(JpEntry.user_id == user_id).order_by(JpEntry.earned_on)
    return list(session.scalars(stmt))


def certificates(session: Session, user_id: int) -> Sequence[tuple[Certificate, Course]]:
    stmt = (
        select(Certificate, Course)
        .join(Course, Certificate.course_id == Course.id)
        .where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at)
    )
    return [(c, course) for c, course in session.execute(stmt).all()]


def external_training(session: Session, user_id: int) -> Sequence[ExternalTraining]:
    stmt = (
        select(ExternalTraining)
        .where(ExternalTraining.user_id == user_id)
        .order_by(ExternalTraining.start_date)
    )
    return list(session.scalars(stmt))


def sessions(session: Session, user_id: int) -> Sequence[UserSession]:
    stmt = select(UserSession).where(UserSession.user_id == user_id)
    return list(session.scalars(stmt))


def audit_events(session: Session, user_id: int, limit: int) -> Sequence[AuditEvent]:
    """What she did, and what others did to her account (the log records both)."""
    stmt = (
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user_id,
                (AuditEvent.object_type == "user") & (AuditEvent.object_id == str(user_id)),
            )
        )
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
