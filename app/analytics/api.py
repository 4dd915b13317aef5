"""GET /api/v1/courses/{slug}/gain and …/evaluations/summary: HR (her scope), admins and
the trainers of the course; …/item-analysis: the course's trainers and admins;
…/evaluations/results: see app/analytics/evaluation_results.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.analytics import evaluation_results, evaluations, gain, items
from app.analytics.deps import (
    ApiAnalyticsCourse,
    ApiFiguresUser,
    ApiGainRun,
    ApiResultsCourse,
    ApiResultsUser,
    ApiTaught,
    RunId,
)
from app.analytics.schemas import (
    EvaluationResultsOut,
    EvaluationSummaryOut,
    GainOut,
    ItemAnalysisOut,
)
from app.core.db import ReadSession, TransactionRoute

router = APIRouter(route_class=TransactionRoute, tags=["analytics"])

Year = Annotated[int | None, Query(ge=gain.MIN_YEAR, le=gain.MAX_YEAR)]
Code = Annotated[str | None, Query(max_length=40)]


@router.get("/courses/{slug}/gain", response_model=GainOut)
def course_gain(
    db: ReadSession,
    user: ApiFiguresUser,
    course: ApiAnalyticsCourse,
    run: ApiGainRun,
    unit: Code = None,
    instansi: Code = None,
    year: Year = None,
) -> GainOut:
    """Learning gain over the learners with both tests: overall, per unit (with its
    sub-units) and per objective. `unit` is a unit code; `year` the year of the last
    post-test; `instansi` (a code) narrows an admin's view to one instansi; `run` (an id)
    to one run's learners."""
    figures = gain.course_gain(
        db,
        viewer=user,
        course=course,
        instansi_code=instansi,
        unit_code=unit,
        year=year,
        run_id=run.id if run else None,
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
    taught: ApiTaught,
    quiz: QuizKind = "posttest",
    version: VersionNumber = None,
) -> ItemAnalysisOut:
    """Per question of the pre- or post-test of one course version (default: the current one),
    over its graded attempts (`run`: of that run's learners only): difficulty P,
    discrimination D (upper and lower 27%), their categories, the flags of a question to
    revise, and how often each choice was picked."""
    run_id = taught.run.id if taught.run else None
    found = items.analyse(db, course=taught.course, quiz=quiz, version=version, run_id=run_id)
    return ItemAnalysisOut.of(found, run_id)


@router.get("/courses/{slug}/evaluations/results", response_model=EvaluationResultsOut)
def evaluation_results_api(
    db: ReadSession, user: ApiResultsUser, course: ApiResultsCourse, run: RunId = None
) -> EvaluationResultsOut:
    """The evaluation results per form and, for the trainer form, per trainer; with the trend
    across runs (`run`: one run only). Figures come from whole runs of at least
    `min_responses` responses; a trainer reads the trainer form about herself only."""
    found = evaluation_results.course_results(db, viewer=user, course=course, run_id=run)
    return EvaluationResultsOut.of(found, evaluations.MIN_RESPONSES)
