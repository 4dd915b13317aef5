"""Learning gain (PRODUCT.md §2): Hake's normalised gain per learner,
g = (post − pre) / (100 − pre), averaged per course, per unit (with its sub-units) and per
objective.

Which scores: `pre` is the pre-test score (a learner sits the pre-test once) and `post` is the
best post-test score, the one Enrollment.posttest_score keeps (assessments.service keeps the
maximum over the attempts) and the certificate's predicate uses. Only learners with both count.
A pre-test of 100 leaves no room to gain: g is undefined, so such a learner counts in the
learners and in both means of the scores but not in the mean gain nor in any category; she is
counted apart (`perfect_pretest`). The mean gain is the mean of the learners' g, not the gain of
the means. Categories: g ≥ 0.7 *tinggi*, 0.3 ≤ g < 0.7 *sedang*, g < 0.3 *rendah* (a negative
gain is *rendah*). A mean's category is that of the mean as shown (rounded to two decimals).

`year` is the year (WIB) of the learner's last post-test: that is when her gain was measured,
whether or not she passed. Per objective, the pre-test attempt and the best post-test attempt
(the latest of equal scores) are scored on that objective's questions alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.scope import EVERYONE, Scope
from app.analytics import access, repository
from app.analytics.repository import EPSILON, Filter
from app.core.clock import WIB
from app.core.errors import Invalid, NotFound
from app.courses import runs, teaching
from app.courses.outline import Outline
from app.models import Instansi, Unit, User
from app.org import service as org

CATEGORIES = ("tinggi", "sedang", "rendah")
LABELS = {"tinggi": "Tinggi", "sedang": "Sedang", "rendah": "Rendah"}
MIN_YEAR, MAX_YEAR = 2000, 2100


def category(g: float | None) -> str | None:
    if g is None:
        return None
    if g >= 0.7 - EPSILON:
        return "tinggi"
    return "sedang" if g >= 0.3 - EPSILON else "rendah"


@dataclass(slots=True)
class Tally:
    """Sums that add up along a unit tree; the figures are derived at the end."""

    n: int = 0
    sum_pre: float = 0.0
    sum_post: float = 0.0
    n_g: int = 0
    sum_g: float = 0.0
    tinggi: int = 0
    sedang: int = 0
    rendah: int = 0

    def add(self, other: Tally) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def learner(self, pre: float, post: float) -> None:
        self.n += 1
        self.sum_pre += pre
        self.sum_post += post
        if pre < 100:
            g = (post - pre) / (100 - pre)
            self.n_g += 1
            self.sum_g += g
            kind = category(g)
            setattr(self, str(kind), getattr(self, str(kind)) + 1)

    @classmethod
    def of_row(cls, row: Any) -> Tally:
        return cls(
            int(row.n),
            float(row.sum_pre or 0),
            float(row.sum_post or 0),
            int(row.n_g),
            float(row.sum_g or 0),
            int(row.tinggi),
            int(row.sedang),
            int(row.rendah),
        )

    def figures(self) -> Figures:
        gain = round(self.sum_g / self.n_g, 2) if self.n_g else None
        return Figures(
            learners=self.n,
            pre_mean=round(self.sum_pre / self.n, 2) if self.n else None,
            post_mean=round(self.sum_post / self.n, 2) if self.n else None,
            gain_mean=gain,
            category=category(gain),
            categories={"tinggi": self.tinggi, "sedang": self.sedang, "rendah": self.rendah},
            perfect_pretest=self.n - self.n_g,
        )


@dataclass(frozen=True, slots=True)
class Figures:
    learners: int
    pre_mean: float | None
    post_mean: float | None
    gain_mean: float | None
    category: str | None
    categories: Mapping[str, int]
    perfect_pretest: int


@dataclass(frozen=True, slots=True)
class UnitGain:
    instansi: Instansi
    unit: Unit | None  # None: the instansi as a whole, or its people without a unit
    depth: int
    figures: Figures
    label: str


@dataclass(frozen=True, slots=True)
class ObjectiveGain:
    id: str
    text: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class CourseGain:
    course: Outline
    year: int | None
    instansi: Instansi | None
    unit: Unit | None
    overall: Figures
    units: list[UnitGain]
    objectives: list[ObjectiveGain] = field(default_factory=list)


def _year_bounds(year: int | None) -> tuple[datetime | None, datetime | None]:
    if year is None:
        return None, None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(f"Tahun harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    return datetime(year, 1, 1, tzinfo=WIB), datetime(year + 1, 1, 1, tzinfo=WIB)


def _place(
    session: Session, *, scope: Scope, instansi_code: str | None, unit_code: str | None
) -> tuple[Instansi | None, Unit | None]:
    """The instansi and unit asked for, if the viewer's scope covers them (else NotFound: a
    unit outside the scope is not told apart from one that does not exist)."""
    instansi: Instansi | None = None
    if scope.instansi_id is not None and not scope.everyone:
        instansi = org.instansi_by_id(session, scope.instansi_id)
        if instansi_code and instansi_code != instansi.code:
            raise NotFound("Instansi tidak ditemukan.")
    elif instansi_code:
        instansi = repository.instansi_by_code(session, instansi_code)
        if instansi is None:
            raise NotFound("Instansi tidak ditemukan.")
    if not unit_code:
        return instansi, None
    found = repository.units_by_code(session, unit_code, instansi.id if instansi else None)
    if len(found) > 1:
        raise Invalid(f"Kode unit {unit_code} ada di beberapa instansi: pilih instansinya.")
    if not found or not scope.covers_unit(found[0]):
        raise NotFound(f"Unit {unit_code} tidak ditemukan.")
    unit = found[0]
    if instansi is None:
        instansi = org.instansi_by_id(session, unit.instansi_id)
    return instansi, unit


def course_gain(
    session: Session,
    *,
    viewer: User,
    course: Outline,
    instansi_code: str | None = None,
    unit_code: str | None = None,
    year: int | None = None,
    run_id: int | None = None,
) -> CourseGain:
    """The gain of a course's learners in the viewer's scope, overall, per unit (each unit with
    its sub-units; units without learners are left out) and per objective; `run_id` narrows
    it to one run's enrolments (the caller has checked the run belongs to the course): a
    trainer named on that run reads all its learners, as the course's trainers do."""
    scope = access.course_scope(session, viewer=viewer, course_id=course.course_id)
    if run_id is not None and not scope.everyone:
        run = runs.run_by_id(session, run_id)
        if run is not None and teaching.trains_run(session, user=viewer, run=run):
            scope = EVERYONE
    instansi, unit = _place(session, scope=scope, instansi_code=instansi_code, unit_code=unit_code)
    unit_ids = scope.unit_ids
    if unit is not None:
        subtree = org.subtree_ids(session, unit=unit)
        unit_ids = subtree if unit_ids is None else unit_ids & subtree
    year_from, year_to = _year_bounds(year)
    f = Filter(
        course_id=course.course_id,
        people=scope.people(),
        instansi_id=instansi.id if instansi else None,
        unit_ids=unit_ids,
        year_from=year_from,
        year_to=year_to,
        run_id=run_id,
    )
    rows = [] if scope.nobody else repository.gain_by_unit(session, f)
    overall = Tally()
    for row in rows:
        overall.add(Tally.of_row(row))
    return CourseGain(
        course=course,
        year=year,
        instansi=instansi,
        unit=unit,
        overall=overall.figures(),
        units=_unit_rows(session, rows, unit_ids=unit_ids, whole=unit is None),
        objectives=[] if scope.nobody else _objectives(session, course, f),
    )


def _unit_rows(
    session: Session, rows: Iterable[Any], *, unit_ids: frozenset[int] | None, whole: bool
) -> list[UnitGain]:
    """Per instansi: its total (when the whole instansi is shown), then its unit tree with each
    unit's subtree rolled up, then its learners without a unit."""
    by_unit: dict[int, Tally] = {}
    no_unit: dict[int, Tally] = {}
    totals: dict[int, Tally] = {}
    for row in rows:
        tally = Tally.of_row(row)
        totals.setdefault(row.instansi_id, Tally()).add(tally)
        target = by_unit if row.unit_id is not None else no_unit
        target.setdefault(row.unit_id if row.unit_id is not None else row.instansi_id, Tally()).add(
            tally
        )
    shown = {i for i in totals if i is not None}
    out: list[UnitGain] = []
    all_units = repository.units(session, shown)
    for inst in repository.instansi(session, shown):
        units = [
            u
            for u in all_units
            if u.instansi_id == inst.id and (unit_ids is None or u.id in unit_ids)
        ]
        if whole and unit_ids is None:
            out.append(UnitGain(inst, None, 0, totals[inst.id].figures(), inst.name))
        out.extend(_tree(inst, units, by_unit, depth=1 if whole and unit_ids is None else 0))
        if inst.id in no_unit:
            out.append(UnitGain(inst, None, 1, no_unit[inst.id].figures(), "Tanpa unit kerja"))
    return out


def _tree(
    instansi: Instansi, units: list[Unit], by_unit: Mapping[int, Tally], *, depth: int
) -> list[UnitGain]:
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)

    sums: dict[int, Tally] = {}

    def rolled(u: Unit) -> Tally:
        """The unit's own learners and those of every unit under it (each summed once)."""
        if u.id not in sums:
            tally = Tally()
            tally.add(by_unit.get(u.id, Tally()))
            for child in children.get(u.id, ()):
                tally.add(rolled(child))
            sums[u.id] = tally
        return sums[u.id]

    out: list[UnitGain] = []

    def walk(u: Unit, level: int) -> None:
        tally = rolled(u)
        if tally.n == 0:
            return
        out.append(UnitGain(instansi, u, level, tally.figures(), u.name))
        for child in children.get(u.id, ()):
            walk(child, level + 1)

    for root in children.get(None, ()):
        walk(root, depth)
    return out


def _objectives(session: Session, course: Outline, f: Filter) -> list[ObjectiveGain]:
    """Per objective: each learner's pre-test and best post-test scored on its questions."""
    attempts = repository.test_attempts(session, f)
    if not attempts:
        return []
    objectives_of = repository.question_objectives(session, {a.quiz_id for a in attempts})
    if not objectives_of:
        return []
    pre: dict[int, Any] = {}
    post: dict[int, Any] = {}
    for a in attempts:
        if a.kind == "pretest":
            if a.enrollment_id not in pre or a.number < pre[a.enrollment_id].number:
                pre[a.enrollment_id] = a
        else:
            best = post.get(a.enrollment_id)
            if best is None or (a.score or 0, a.number) > (best.score or 0, best.number):
                post[a.enrollment_id] = a
    tallies: dict[str, Tally] = {}
    for enrollment_id, first in pre.items():
        last = post.get(enrollment_id)
        if last is None:
            continue
        before = _by_objective(first.results, objectives_of.get(first.quiz_id, {}))
        after = _by_objective(last.results, objectives_of.get(last.quiz_id, {}))
        for objective in before.keys() & after.keys():
            tallies.setdefault(objective, Tally()).learner(before[objective], after[objective])
    texts = {o.id: o.text for m in course.modules for o in m.objectives}
    order = {o: i for i, o in enumerate(texts)}
    return [
        ObjectiveGain(objective, texts.get(objective, objective), tallies[objective].figures())
        for objective in sorted(tallies, key=lambda o: (order.get(o, len(order)), o))
    ]


def _by_objective(results: Mapping[str, bool], objectives: Mapping[str, str]) -> dict[str, float]:
    """The percentage of an attempt's questions answered correctly, per objective."""
    asked: dict[str, list[bool]] = {}
    for key, correct in results.items():
        objective = objectives.get(key)
        if objective is not None:
            asked.setdefault(objective, []).append(bool(correct))
    return {o: 100 * sum(marks) / len(marks) for o, marks in asked.items()}
