"""The learner's dashboard: every enrolment with its progress (learning + assessments)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Enrollment, User


@dataclass
class DashboardEntry:
    enrollment: Enrollment
    progress: learning.Progress


def dashboard(session: Session, *, user: User) -> list[DashboardEntry]:
    """Every enrolment with its progress, in a fixed number of queries."""
    from app.assessments import repository as attempts
    from app.courses import repository as courses

    enrollments = learning_repository.enrollments_of(session, user.id)
    keys = learning_repository.completed_keys_for(session, [e.id for e in enrollments])
    passed = attempts.passed_posttests(session, [e.id for e in enrollments])
    versions = courses.outlines(session, list({e.version_id for e in enrollments}))
    return [
        DashboardEntry(
            e,
            learning.progress(
                versions[e.version_id], e, keys[e.id], posttest_passed=e.id in passed
            ),
        )
        for e in enrollments
    ]
