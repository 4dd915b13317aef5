"""`GET /api/v1/me` and `/me/progress`: who is calling, JP this year, progress per course."""

from fastapi import APIRouter

from app.accounts.deps import ApiUser
from app.accounts.schemas import MeOut
from app.core.db import ReadSession, TransactionRoute
from app.dashboard import service as dashboard_service
from app.learning import service as learning
from app.learning.schemas import ProgressOut

router = APIRouter(route_class=TransactionRoute, tags=["accounts"])


@router.get("/me", response_model=MeOut)
def me(db: ReadSession, user: ApiUser) -> MeOut:
    return MeOut(
        id=user.id,
        nip=user.nip,
        name=user.name,
        email=user.email,
        roles=sorted(user.role_names),
        instansi=user.instansi.code if user.instansi else None,
        unit=user.unit.code if user.unit else None,
        jp_this_year=learning.jp_this_year(db, user=user),
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
        for e in dashboard_service.dashboard(db, user=user)
    ]
