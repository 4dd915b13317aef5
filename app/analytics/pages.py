"""What the HR report pages and the trainer's item-analysis page show: the filter choices the
viewer may pick from, and the figures for the ones she picked (the same services the API calls)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.analytics import evaluations, gain, items, repository
from app.core import clock
from app.core.errors import AppError, Invalid
from app.courses import repository as courses_repository
from app.courses import service as courses
from app.courses.outline import Outline
from app.models import CourseRun, Instansi, Unit, User
from app.org import repository as org_repository
from app.org import service as org

YEARS_BACK = 5


@dataclass(frozen=True, slots=True)
class CourseChoice:
    slug: str
    title: str


@dataclass
class Choices:
    courses: list[CourseChoice]
    instansi: list[Instansi] = field(default_factory=list)  # shown to admins only
    units: list[tuple[int, Unit]] = field(default_factory=list)  # (depth, unit) in scope
    years: list[int] = field(default_factory=list)


@dataclass
class GainPage:
    choices: Choices
    selected: dict[str, str]
    result: gain.CourseGain | None = None
    error: str | None = None
    status_code: int = 200


@dataclass
class EvaluationsPage:
    choices: Choices
    selected: dict[str, str]
    result: evaluations.CourseEvaluations | None = None
    error: str | None = None
    status_code: int = 200


def _courses(session: Session) -> list[CourseChoice]:
    return [CourseChoice(c.slug, v.title) for c, v in courses_repository.published(session)]


def _instansi_and_units(
    session: Session, viewer: User, instansi_code: str
) -> tuple[list[Instansi], list[tuple[int, Unit]], Instansi | None]:
    """The instansi an admin may pick (all), or the HR officer's own; and the unit tree of the
    chosen one, narrowed to the viewer's scope."""
    scope = accounts.scope_of(session, viewer)
    if scope.everyone:
        every = org_repository.all_instansi(session)
        chosen = next((i for i in every if i.code == instansi_code), None)
        if chosen is None and len(every) == 1:
            chosen = every[0]
        pickable = every if len(every) > 1 else []
    elif scope.instansi_id is not None:
        chosen = org.instansi_by_id(session, scope.instansi_id)
        pickable = []
    else:
        return [], [], None
    if chosen is None:
        return pickable, [], None
    flat = org.flatten(org.unit_tree(session, instansi=chosen))
    units = [(d, n.unit) for d, n in flat if scope.covers_unit(n.unit)]
    if scope.unit_ids is not None and units:
        top = min(d for d, _ in units)
        units = [(d - top, u) for d, u in units]
    return pickable, units, chosen


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not gain.MIN_YEAR <= int(text) <= gain.MAX_YEAR:
        raise Invalid("Tahun tidak valid.")
    return int(text)


def gain_page(
    session: Session, *, viewer: User, course: str, instansi: str, unit: str, year: str
) -> GainPage:
    pickable, units, chosen = _instansi_and_units(session, viewer, instansi)
    this_year = clock.local_today().year
    choices = Choices(
        courses=_courses(session),
        instansi=pickable,
        units=units,
        years=list(range(this_year, this_year - YEARS_BACK, -1)),
    )
    selected = {
        "course": course,
        "instansi": chosen.code if chosen else "",
        "unit": unit,
        "year": year.strip(),
    }
    page = GainPage(choices=choices, selected=selected)
    if not course:
        return page
    try:
        page.result = gain.course_gain(
            session,
            viewer=viewer,
            course=courses.published_course(session, slug=course),
            # an unknown code is passed on, to be refused, not silently widened to all
            instansi_code=chosen.code if chosen else (instansi.strip() or None),
            unit_code=unit or None,
            year=_year(year),
        )
    except AppError as exc:
        page.error, page.status_code = exc.message, exc.status_code
    return page


def evaluations_page(session: Session, *, viewer: User, course: str) -> EvaluationsPage:
    page = EvaluationsPage(choices=Choices(courses=_courses(session)), selected={"course": course})
    if not course:
        return page
    try:
        page.result = evaluations.summary(
            session, viewer=viewer, course=courses.published_course(session, slug=course)
        )
    except AppError as exc:
        page.error, page.status_code = exc.message, exc.status_code
    return page


@dataclass
class ItemsPage:
    course: Outline
    quiz: str
    version: str
    run: CourseRun | None = None
    result: items.ItemAnalysis | None = None
    versions: list[int] = field(default_factory=list)
    error: str | None = None
    status_code: int = 200


def items_page(
    session: Session, *, course: Outline, run: CourseRun | None, quiz: str, version: str
) -> ItemsPage:
    """The item analysis of the course's pre- or post-test (of one run's learners when given);
    a bad choice is shown as an error on the same page (422, or 404 for a version that does
    not exist)."""
    page = ItemsPage(course=course, quiz=quiz, version=version.strip(), run=run)
    page.versions = repository.version_numbers(session, course_id=course.course_id)
    try:
        number = _version(page.version)
        page.result = items.analyse(
            session, course=course, quiz=quiz, version=number, run_id=run.id if run else None
        )
    except AppError as exc:
        page.error, page.status_code = exc.message, exc.status_code
    return page


def _version(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 1_000_000:
        raise Invalid("Versi tidak valid.")
    return int(text)


@dataclass
class RunGainPage:
    run: CourseRun
    course: Outline
    result: gain.CourseGain


def run_gain_page(session: Session, *, viewer: User, run: CourseRun) -> RunGainPage:
    """The learning gain of one run's learners (every learner of the run: its trainer reads
    them all, whatever the instansi)."""
    course = courses.published_course(session, slug=run.course.slug)
    figures = gain.course_gain(session, viewer=viewer, course=course, run_id=run.id)
    return RunGainPage(run=run, course=course, result=figures)
