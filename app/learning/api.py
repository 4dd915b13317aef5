from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.catalog.deps import ApiCourse
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.learning import service as learning
from app.learning.deps import ApiLesson
from app.learning.schemas import CompletionOut, EnrollmentOut, ProgressOut

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


@router.post("/lessons/{lesson_id}/completion", response_model=CompletionOut)
def complete_lesson(db: WriteSession, found: ApiLesson) -> CompletionOut:
    row = learning.complete_lesson(
        db, enrollment=found.enrolled.enrollment, module=found.module, lesson=found.lesson
    )
    db.refresh(found.enrolled.enrollment)
    return CompletionOut(
        lesson_id=found.lesson.id,
        completed=True,
        completed_at=row.completed_at,
        course_status=found.enrolled.enrollment.status,
    )


@router.get("/me/progress", response_model=list[ProgressOut])
def my_progress(db: ReadSession, user: ApiUser) -> list[ProgressOut]:
    return [
        ProgressOut(
            course=e.enrollment.course.slug,
            percent=e.progress.percent,
            status=e.progress.status,
            completed_at=e.enrollment.completed_at,
            jp=e.enrollment.version.jp,
            pretest_score=e.enrollment.pretest_score,
            posttest_score=e.enrollment.posttest_score,
            learning_gain=e.enrollment.learning_gain,
        )
        for e in learning.dashboard(db, user=user)
    ]
