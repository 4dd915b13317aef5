"""Learner pages: enrol, read lessons in order, mark them done, resume."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from app.accounts.deps import CurrentUser, verify_csrf
from app.core.db import ReadSession, TransactionRoute, WriteSession
from app.core.templating import redirect, render
from app.courses.deps import PageCourse
from app.learning import service as learning
from app.learning.deps import PageEnrolled, PageLesson

router = APIRouter(
    route_class=TransactionRoute,
    prefix="/courses",
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
)


def lesson_url(slug: str, module_slug: str, lesson_slug: str) -> str:
    return f"/courses/{slug}/lessons/{module_slug}/{lesson_slug}"


@router.post("/{slug}/enrol")
def enrol(db: WriteSession, user: CurrentUser, version: PageCourse) -> Response:
    learning.enrol(db, user=user, version=version)
    return redirect(f"/courses/{version.course.slug}", flash="Anda terdaftar. Selamat belajar!")


@router.get("/{slug}/resume")
def resume(db: ReadSession, enrolled: PageEnrolled) -> Response:
    """Lanjutkan: the pre-test while it is due, then the first lesson not yet done, else the
    post-test, else the course page."""
    version, enrollment = enrolled.version, enrolled.enrollment
    slug = version.course.slug
    if learning.pretest_pending(version, enrollment):
        return redirect(f"/courses/{slug}/quiz/pretest")
    done = learning.repository.completed_keys(db, enrollment.id)
    state = learning.progress(version, enrollment, done)
    if state.next_lesson is not None:
        module, lesson = state.next_lesson
        return redirect(lesson_url(slug, module.slug, lesson.slug))
    if enrollment.status != "completed" and state.has_posttest:
        return redirect(f"/courses/{slug}/quiz/posttest")
    return redirect(f"/courses/{slug}")


@router.get("/{slug}/lessons/{module}/{lesson}", response_class=HTMLResponse)
def lesson_page(request: Request, db: ReadSession, found: PageLesson) -> Response:
    version = found.enrolled.version
    done = learning.repository.completed_keys(db, found.enrolled.enrollment.id)
    previous, following = learning.neighbours(version, found.lesson)
    return render(
        request,
        "learning/lesson.html",
        {
            "version": version,
            "course": version.course,
            "module": found.module,
            "lesson": found.lesson,
            "module_number": next(
                i for i, m in enumerate(version.modules, 1) if m.id == found.module.id
            ),
            "done": learning.lesson_key(found.module, found.lesson) in done,
            "previous": previous,
            "following": following,
            "state": learning.progress(version, found.enrolled.enrollment, done),
            "pretest_first": learning.pretest_pending(version, found.enrolled.enrollment),
        },
    )
