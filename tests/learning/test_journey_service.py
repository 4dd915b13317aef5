from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.assessments import grading
from app.assessments import service as assessments
from app.completion import service as completion
from app.core import clock
from app.core.errors import Conflict, Forbidden
from app.courses import service as courses
from app.courses.outline import Outline
from app.learning import service as learning
from app.models import Attempt, JpEntry
from tests.factories import World
from tests.learning.helpers import finish_lessons, right, take_pretest, wrong

pytestmark = pytest.mark.usefixtures("courses_imported")


def _course(session: Session, slug: str = "smart-governance") -> Outline:
    return courses.published_course(session, slug=slug)


def _enrolled_with_lessons_done(session: Session, world: World, version: Outline):  # type: ignore[no-untyped-def]
    """Enrolled, pre-test taken and every lesson done: the post-test is open."""
    enrollment = learning.enrol(session, user=world.learner, version=version)
    finish_lessons(session, enrollment)
    return enrollment


def _take(session: Session, enrollment, quiz, *, correct: bool = True) -> Attempt:  # type: ignore[no-untyped-def]
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    for item in assessments.paper(session, attempt=attempt):
        response = right(item.question) if correct else wrong(item.question)
        assessments.save_answer(
            session, attempt=attempt, question_key=item.question.key, response=response
        )
    return completion.submit_attempt(session, attempt_id=attempt.id)


def test_enrolment_is_idempotent(session: Session, world: World) -> None:
    version = _course(session)
    first = learning.enrol(session, user=world.learner, version=version)
    assert learning.enrol(session, user=world.learner, version=version).id == first.id


def test_only_learners_enrol(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        learning.enrol(session, user=world.hr, version=_course(session))


def test_full_course_completes_once_and_credits_jp(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    pre = _take(session, enrollment, assessments.quiz_of(version, kind="pretest"), correct=False)
    assert pre.score == 0 and enrollment.pretest_score == 0
    assert enrollment.status == "in_progress", "the pre-test never completes a course"
    finish_lessons(session, enrollment)
    assert enrollment.status == "in_progress", "post-test still required"

    post = _take(session, enrollment, assessments.quiz_of(version, kind="posttest"))
    assert post.score == 100 and post.passed
    assert enrollment.status == "completed"
    assert enrollment.completed_at is not None
    assert enrollment.learning_gain == 100
    assert learning.jp_this_year(session, user=world.learner) == version.jp

    completion.check(session, enrollment_id=enrollment.id)
    count = session.scalar(
        select(func.count()).select_from(JpEntry).where(JpEntry.user_id == world.learner.id)
    )
    assert count == 1


def test_lesson_completion_is_idempotent_and_resume_points_at_the_next_lesson(
    session: Session, world: World
) -> None:
    version = _course(session)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    take_pretest(session, enrollment)
    first_module = version.modules[0]
    completion.complete_lesson(
        session, enrollment=enrollment, module=first_module, lesson=first_module.lessons[0]
    )
    completion.complete_lesson(
        session, enrollment=enrollment, module=first_module, lesson=first_module.lessons[0]
    )
    done = learning.repository.completed_keys(session, enrollment.id)
    state = learning.progress(version, enrollment, done)
    assert state.lessons_done == 1
    assert state.next_lesson is not None and state.next_lesson[1].id == first_module.lessons[1].id
    assert 0 < state.percent < 100


def test_paper_is_fixed_per_attempt_and_resumes(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = _enrolled_with_lessons_done(session, world, version)
    quiz = assessments.quiz_of(version, kind="posttest")
    first = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    again = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    assert again.id == first.id
    assert len(first.paper) == quiz.paper_size
    assert len({p["key"] for p in first.paper}) == quiz.paper_size
    assert first.deadline is not None and first.deadline - first.started_at == timedelta(minutes=30)


def test_posttest_attempts_are_limited(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = _enrolled_with_lessons_done(session, world, version)
    quiz = assessments.quiz_of(version, kind="posttest")
    for _ in range(version.max_attempts):
        assert not _take(session, enrollment, quiz, correct=False).passed
    with pytest.raises(Conflict, match="Kesempatan post-test sudah habis"):
        assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)


def test_pretest_is_taken_once(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = learning.enrol(session, user=world.learner, version=version)
    quiz = assessments.quiz_of(version, kind="pretest")
    _take(session, enrollment, quiz)
    with pytest.raises(Conflict, match="satu kali"):
        assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)


def test_expired_attempt_is_finished_with_its_saved_answers(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = _enrolled_with_lessons_done(session, world, version)
    quiz = assessments.quiz_of(version, kind="posttest")
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    items = assessments.paper(session, attempt=attempt)
    for item in items[:5]:
        assessments.save_answer(
            session, attempt=attempt, question_key=item.question.key, response=right(item.question)
        )
    clock.freeze(clock.now() + timedelta(minutes=31))
    try:
        with pytest.raises(Conflict, match="Waktu pengerjaan sudah habis"):
            assessments.save_answer(
                session,
                attempt=attempt,
                question_key=items[6].question.key,
                response=right(items[6].question),
            )
        graded = completion.submit_attempt(session, attempt_id=attempt.id)
    finally:
        clock.freeze(None)
    assert graded.status == "expired"
    assert graded.score == round(100 * 5 / len(items), 2)


def test_submission_is_graded_once(session: Session, world: World) -> None:
    version = _course(session)
    enrollment = _enrolled_with_lessons_done(session, world, version)
    quiz = assessments.quiz_of(version, kind="posttest")
    graded = _take(session, enrollment, quiz, correct=False)
    again = completion.submit_attempt(session, attempt_id=graded.id)
    assert again.id == graded.id and again.score == graded.score
    with pytest.raises(Conflict):
        assessments.save_answer(
            session, attempt=graded, question_key=graded.paper[0]["key"], response=None
        )


def test_answers_are_validated_against_the_paper(session: Session, world: World) -> None:
    from app.core.errors import Invalid, NotFound

    version = _course(session)
    enrollment = _enrolled_with_lessons_done(session, world, version)
    attempt = assessments.start_attempt(
        session, enrollment=enrollment, quiz=assessments.quiz_of(version, kind="posttest")
    )
    single = next(
        p for p in assessments.paper(session, attempt=attempt) if p.question.type == "single"
    )
    with pytest.raises(Invalid):
        assessments.save_answer(
            session, attempt=attempt, question_key=single.question.key, response="99"
        )
    with pytest.raises(NotFound):
        assessments.save_answer(session, attempt=attempt, question_key="tidak-ada", response="1")
    saved = assessments.save_answer(
        session, attempt=attempt, question_key=single.question.key, response="1"
    )
    assert saved is not None
    assert (
        assessments.save_answer(
            session, attempt=attempt, question_key=single.question.key, response=None
        )
        is None
    )


@pytest.mark.parametrize(
    ("typed", "accepted", "ok"),
    [
        ("  satu   DATA indonesia. ", ["Satu Data Indonesia"], True),
        ("SDI", ["Satu Data Indonesia", "SDI"], True),
        ("7.5", ["7,5"], True),
        ("7,5 %", ["7,5"], True),
        ("75", ["7,5"], False),
        ("Satu Data", ["Satu Data Indonesia"], False),
    ],
)
def test_short_answers_ignore_case_spaces_and_punctuation(
    typed: str, accepted: list[str], ok: bool
) -> None:
    from app.courses.outline import QuestionOutline

    question = QuestionOutline(
        id=1,
        quiz_id=1,
        key="q",
        position=1,
        type="short",
        text="?",
        choices=(),
        answer=tuple(accepted),
        explanation=".",
        objective=None,
    )
    assert grading.is_correct(question, typed) is ok
