from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.core.db import TransactionRoute, WriteSession
from app.courses.deps import ApiCourse
from app.learning import service as learning
from app.learning.schemas import EnrollmentOut

router = APIRouter(route_class=TransactionRoute, tags=["learning"])


@router.post("/courses/{slug}/enrollment", response_model=EnrollmentOut)
def enrol(db: WriteSession, user: ApiUser, version: ApiCourse) -> EnrollmentOut:
    enrollment = learning.enrol(db, user=user, version=version)
    return EnrollmentOut(
        course=version.course.slug,
        status=enrollment.status,
        enrolled_at=enrollment.enrolled_at,
        completed_at=enrollment.completed_at,
        version=version.number if enrollment.version_id == version.id else 0,
    )
