"""Load-and-authorise an attempt from the URL: the learner's own, in the course she is in."""

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import ApiPrincipal
from app.assessments import service as assessments
from app.core.db import ReadSession
from app.core.errors import NotFound
from app.core.params import RowId
from app.learning.deps import PageEnrolled
from app.models import Attempt


def attempt_for_page(attempt_id: RowId, enrolled: PageEnrolled, db: ReadSession) -> Attempt:
    attempt = assessments.attempt_for_user(
        db, attempt_id=attempt_id, user_id=enrolled.enrollment.user_id
    )
    if attempt.enrollment_id != enrolled.enrollment.id:
        raise NotFound("Percobaan tidak ditemukan.")
    return attempt


PageAttempt = Annotated[Attempt, Depends(attempt_for_page)]


def attempt_for_api(attempt_id: RowId, db: ReadSession, user: ApiPrincipal) -> Attempt:
    return assessments.attempt_for_user(db, attempt_id=attempt_id, user_id=user.id)


ApiAttempt = Annotated[Attempt, Depends(attempt_for_api)]
