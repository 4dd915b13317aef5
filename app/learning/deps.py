"""Load-and-authorise: a learner's enrolment, lesson, quiz and attempt from the URL."""

from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import Depends, Request

from app.accounts.deps import ApiPrincipal, logged_in_page_user
from app.core.db import ReadSession, after_request
from app.core.errors import NotFound, RedirectRequired
from app.core.params import RowId
from app.courses import repository as courses
from app.courses import service as courses_service
from app.courses.outline import LessonOutline, ModuleOutline, Outline, QuizOutline
from app.learning import service as learning
from app.models import Enrollment


@dataclass
class EnrolledCourse:
    enrollment: Enrollment
    version: Outline  # the version she is enrolled in


def _enrolled(
    db: ReadSession, user_id: int, slug: str, *, page: bool, request: Request | None = None
) -> EnrolledCourse:
    found = learning.repository.enrollment_and_current(db, user_id=user_id, slug=slug)
    if found is not None:
        mine, in_version, current_id = found
        if request is not None and learning.should_move(
            db, enrollment=mine, current_version_id=current_id
        ):
            # A newer version is out: she moves to it in a small write of its own after this
            # read (the page stays a reader); this page still shows the version she was in.
            after_request(request, partial(learning.move_after_visit, enrollment_id=mine.id))
        return EnrolledCourse(mine, in_version)
    # Not enrolled, or no such published course: say which.
    current = courses_service.published_course(db, slug=slug)
    enrollment = learning.repository.enrollment(db, user_id=user_id, course_id=current.course_id)
    if enrollment is None:
        if page:
            raise RedirectRequired(f"/courses/{slug}")
        raise NotFound("Anda belum terdaftar di kursus ini.")
    version = (
        current
        if enrollment.version_id == current.id
        else courses.outline(db, enrollment.version_id)
    )
    assert version is not None
    return EnrolledCourse(enrollment, version)


def enrolled_for_page(slug: str, request: Request, db: ReadSession) -> EnrolledCourse:
    """Who is asking and her enrolment, in one worker-thread hop (the most requested pages)."""
    principal = logged_in_page_user(request, db)
    return _enrolled(db, principal.id, slug, page=True, request=request)


PageEnrolled = Annotated[EnrolledCourse, Depends(enrolled_for_page)]


@dataclass
class LessonInCourse:
    enrolled: EnrolledCourse
    module: ModuleOutline
    lesson: LessonOutline


def lesson_for_page(module: str, lesson: str, enrolled: PageEnrolled) -> LessonInCourse:
    found_module, found_lesson = learning.find_lesson(
        enrolled.version, module_slug=module, lesson_slug=lesson
    )
    return LessonInCourse(enrolled, found_module, found_lesson)


PageLesson = Annotated[LessonInCourse, Depends(lesson_for_page)]


# --- API: ids in the URL -------------------------------------------------------------------


def _enrolled_by_version(db: ReadSession, user_id: int, version_id: int) -> EnrolledCourse:
    version = courses.outline(db, version_id)
    if version is None:
        raise NotFound()
    enrollment = learning.repository.enrollment(db, user_id=user_id, course_id=version.course_id)
    if enrollment is None or enrollment.version_id != version.id:
        raise NotFound("Anda belum terdaftar di kursus ini.")
    return EnrolledCourse(enrollment, version)


def lesson_for_api(lesson_id: RowId, db: ReadSession, user: ApiPrincipal) -> LessonInCourse:
    lesson = courses.lesson(db, lesson_id)
    if lesson is None:
        raise NotFound("Pelajaran tidak ditemukan.")
    enrolled = _enrolled_by_version(db, user.id, lesson.module.version_id)
    module, found = learning.find_lesson(
        enrolled.version, module_slug=lesson.module.slug, lesson_slug=lesson.slug
    )
    return LessonInCourse(enrolled, module, found)


ApiLesson = Annotated[LessonInCourse, Depends(lesson_for_api)]


@dataclass
class QuizInCourse:
    enrolled: EnrolledCourse
    quiz: QuizOutline


def quiz_for_api(quiz_id: RowId, db: ReadSession, user: ApiPrincipal) -> QuizInCourse:
    quiz = courses.quiz(db, quiz_id)
    if quiz is None:
        raise NotFound("Kuis tidak ditemukan.")
    enrolled = _enrolled_by_version(db, user.id, quiz.version_id)
    found = enrolled.version.quiz(quiz.id)
    if found is None:
        raise NotFound("Kuis tidak ditemukan.")
    return QuizInCourse(enrolled, found)


ApiQuiz = Annotated[QuizInCourse, Depends(quiz_for_api)]
