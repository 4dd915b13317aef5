"""GET /api/v1/courses/{slug}/gain and …/evaluations/summary: HR (her scope), admins and
the trainers of the course; …/item-analysis: the course's trainers and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.analytics import evaluations, gain, items
from app.analytics.deps import ApiAnalyticsCourse, ApiFiguresUser, ApiTaughtCourse
from app.analytics.schemas import EvaluationSummaryOut, GainOut, ItemAnalysisOut
from app.core.db import ReadSession, TransactionRoute

router = APIRouter(route_class=TransactionRoute, tags=["analytics"])

Year = Annotated[int | None, Query(ge=gain.MIN_YEAR, le=gain.MAX_YEAR)]
Code = Annotated[str | None, Query(max_length=40)]


@router.get("/courses/{slug}/gain", response_model=GainOut)
def course_gain(
    db: ReadSession,
    user: ApiFiguresUser,
    course: ApiAnalyticsCourse,
    unit: Code = None,
    instansi: Code = None,
    year: Year = None,
) -> GainOut:
    """Learning gain over the learners with both tests: overall, per unit (with its
    sub-units) and per objective. `unit` is a unit code; `year` the year of the last
    post-test; `instansi` (a code) narrows an admin's view to one instansi."""
    figures = gain.course_gain(
        db, viewer=user, course=course, instansi_code=instansi, unit_code=unit, year=year
    )
    return GainOut.of(figures)


@router.get("/courses/{slug}/evaluations/summary", response_model=EvaluationSummaryOut)
def evaluation_summary(
    db: ReadSession, user: ApiFiguresUser, course: ApiAnalyticsCourse
) -> EvaluationSummaryOut:
    """Per form and question: `n`, `mean` and `distribution` (null below `min_responses`),
    and the comments (null below `min_responses`)."""
    found = evaluations.summary(db, viewer=user, course=course)
    return EvaluationSummaryOut.of(found, evaluations.MIN_RESPONSES)


QuizKind = Annotated[str, Query(pattern="^(pretest|posttest)$")]
VersionNumber = Annotated[int | None, Query(ge=1, le=1_000_000)]


@router.get("/courses/{slug}/item-analysis", response_model=ItemAnalysisOut)
def item_analysis(
    db: ReadSession,
    course: ApiTaughtCourse,
    quiz: QuizKind = "posttest",
    version: VersionNumber = None,
) -> ItemAnalysisOut:
    """Per question of the pre- or post-test of one course version (default: the current one),
    over its graded attempts: difficulty P, discrimination D (upper and lower 27%), their
    categories, the flags of a question to revise, and how often each choice was picked."""
    return ItemAnalysisOut.of(items.analyse(db, course=course, quiz=quiz, version=version))
