"""The JSON shapes of the analytics API (PRODUCT.md §5, with more fields)."""

from __future__ import annotations

from pydantic import BaseModel

from app.analytics.evaluation_results import EvaluationResults, ResultGroup, RunRef
from app.analytics.evaluations import CourseEvaluations, FormSummary, QuestionSummary
from app.analytics.gain import CourseGain, Figures
from app.analytics.items import ItemAnalysis, ItemFigures


class GainFiguresOut(BaseModel):
    learners: int  # with both a pre-test and a post-test
    pre_mean: float | None
    post_mean: float | None
    gain_mean: float | None  # mean of the learners' normalised gains g
    category: str | None  # tinggi | sedang | rendah, of gain_mean
    categories: dict[str, int]  # learners per category of their own g
    perfect_pretest: int  # pre-test 100: g undefined, left out of gain_mean and categories

    @staticmethod
    def fields(f: Figures) -> dict[str, object]:
        return {
            "learners": f.learners,
            "pre_mean": f.pre_mean,
            "post_mean": f.post_mean,
            "gain_mean": f.gain_mean,
            "category": f.category,
            "categories": dict(f.categories),
            "perfect_pretest": f.perfect_pretest,
        }


class UnitGainOut(GainFiguresOut):
    instansi: str  # code
    unit: str | None  # code; null for the instansi as a whole or its learners without a unit
    name: str
    depth: int


class ObjectiveGainOut(GainFiguresOut):
    id: str
    text: str


class GainOut(GainFiguresOut):
    course: str
    year: int | None
    instansi: str | None
    unit: str | None
    units: list[UnitGainOut]
    objectives: list[ObjectiveGainOut]

    @classmethod
    def of(cls, gain: CourseGain) -> GainOut:
        return cls(
            course=gain.course.course.slug,
            year=gain.year,
            instansi=gain.instansi.code if gain.instansi else None,
            unit=gain.unit.code if gain.unit else None,
            units=[
                UnitGainOut(
                    instansi=u.instansi.code,
                    unit=u.unit.code if u.unit else None,
                    name=u.label,
                    depth=u.depth,
                    **GainFiguresOut.fields(u.figures),
                )
                for u in gain.units
            ],
            objectives=[
                ObjectiveGainOut(id=o.id, text=o.text, **GainFiguresOut.fields(o.figures))
                for o in gain.objectives
            ],
            **GainFiguresOut.fields(gain.overall),
        )


class QuestionSummaryOut(BaseModel):
    id: str
    text: str
    n: int
    mean: float | None  # null below min_responses
    distribution: dict[str, int] | None  # "1".."5" -> count; null below min_responses

    @classmethod
    def of(cls, q: QuestionSummary) -> QuestionSummaryOut:
        return cls(
            id=q.id,
            text=q.text,
            n=q.n,
            mean=q.mean,
            distribution=None
            if q.distribution is None
            else {str(k): v for k, v in q.distribution.items()},
        )


class FormSummaryOut(BaseModel):
    id: str
    title: str
    responses: int
    # of them, those in (run, trainer) cells of at least min_responses: the base of the figures
    counted: int
    questions: list[QuestionSummaryOut]
    comments: list[str] | None  # null below min_responses

    @classmethod
    def of(cls, f: FormSummary) -> FormSummaryOut:
        return cls(
            id=f.id,
            title=f.title,
            responses=f.responses,
            counted=f.responses if f.counted is None else f.counted,
            questions=[QuestionSummaryOut.of(q) for q in f.questions],
            comments=f.comments,
        )


class EvaluationSummaryOut(BaseModel):
    course: str
    min_responses: int
    forms: list[FormSummaryOut]

    @classmethod
    def of(cls, s: CourseEvaluations, min_responses: int) -> EvaluationSummaryOut:
        return cls(
            course=s.course.course.slug,
            min_responses=min_responses,
            forms=[FormSummaryOut.of(f) for f in s.forms],
        )


class ChoiceCountOut(BaseModel):
    id: str  # the choice id of the course version; `true`/`false` for a truefalse question
    text: str
    correct: bool
    picked: int  # attempts that picked it (a `multiple` answer picks several)


class ItemOut(BaseModel):
    id: str  # the question id written in the course file
    text: str
    type: str
    objective: str | None
    attempts: int  # graded attempts whose paper held the question
    correct: int  # of them, answered fully correctly
    difficulty: float | None  # P, null when no attempt held it
    discrimination: float | None  # D = P(upper 27%) − P(lower 27%)
    difficulty_category: str | None  # sukar | sedang | mudah
    discrimination_category: str | None  # negatif | jelek | cukup | baik | baik_sekali
    group: int  # attempts in each of the upper and lower groups
    upper_correct: int
    lower_correct: int
    flags: list[str]  # terlalu_mudah | terlalu_sukar | daya_beda_rendah | daya_beda_negatif
    choices: list[ChoiceCountOut]
    unanswered: int

    @classmethod
    def of(cls, q: ItemFigures) -> ItemOut:
        return cls(
            id=q.id,
            text=q.text,
            type=q.type,
            objective=q.objective,
            attempts=q.attempts,
            correct=q.correct,
            difficulty=q.difficulty,
            discrimination=q.discrimination,
            difficulty_category=q.difficulty_category,
            discrimination_category=q.discrimination_category,
            group=q.group,
            upper_correct=q.upper_correct,
            lower_correct=q.lower_correct,
            flags=list(q.flags),
            choices=[
                ChoiceCountOut(id=c.id, text=c.text, correct=c.correct, picked=c.picked)
                for c in q.choices
            ],
            unanswered=q.unanswered,
        )


class ItemAnalysisOut(BaseModel):
    course: str
    version: int
    quiz: str  # pretest | posttest
    run: int | None = None
    attempts: int  # graded attempts of the quiz in this version (and run)
    questions: list[ItemOut]

    @classmethod
    def of(cls, a: ItemAnalysis, run: int | None = None) -> ItemAnalysisOut:
        return cls(
            course=a.course.course.slug,
            version=a.course.number,
            quiz=a.quiz.kind,
            run=run,
            attempts=a.attempts,
            questions=[ItemOut.of(q) for q in a.questions],
        )


class RunOut(BaseModel):
    id: int | None  # null: responses stored before runs were recorded
    name: str
    starts_on: str | None

    @classmethod
    def of(cls, r: RunRef) -> RunOut:
        return cls(id=r.id, name=r.name, starts_on=r.starts_on.isoformat() if r.starts_on else None)


class TrendRowOut(BaseModel):
    run: RunOut
    responses: int
    shown: bool  # false below min_responses: then no figure, and not counted in the totals
    overall: float | None
    means: dict[str, float | None]


class TrainerOut(BaseModel):
    id: int
    name: str


class ResultGroupOut(FormSummaryOut):
    form: str  # the form id (`id` is that too, kept for the FormSummaryOut shape)
    about_trainer: bool
    trainer: TrainerOut | None
    withheld: int  # responses of runs below min_responses, counted in no figure
    trend: list[TrendRowOut]

    @classmethod
    def of_group(cls, g: ResultGroup) -> ResultGroupOut:
        base = FormSummaryOut.of(g.summary)
        return cls(
            **base.model_dump(),
            form=g.form_id,
            about_trainer=g.about_trainer,
            trainer=TrainerOut(id=g.trainer.id, name=g.trainer.name) if g.trainer else None,
            withheld=g.withheld,
            trend=[
                TrendRowOut(
                    run=RunOut.of(t.run),
                    responses=t.responses,
                    shown=t.shown,
                    overall=t.overall,
                    means=dict(t.means),
                )
                for t in g.trend
            ],
        )


class EvaluationResultsOut(BaseModel):
    course: str
    run: RunOut | None
    min_responses: int
    groups: list[ResultGroupOut]

    @classmethod
    def of(cls, r: EvaluationResults, min_responses: int) -> EvaluationResultsOut:
        return cls(
            course=r.course.course.slug,
            run=RunOut.of(r.run) if r.run else None,
            min_responses=min_responses,
            groups=[ResultGroupOut.of_group(g) for g in r.groups],
        )
