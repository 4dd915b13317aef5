"""Quizzes: papers fixed per attempt, answers saved as they are given, grading once."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.assessments import grading, repository
from app.audit import service as audit
from app.core import clock
from app.core.errors import Conflict, Invalid, NotFound
from app.courses import repository as courses
from app.courses.outline import Outline, QuestionOutline, QuizOutline
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import Answer, Attempt, AttemptAllowance, Enrollment, User

# Answers arriving this long after the deadline still count: the request left in time.
GRACE = timedelta(seconds=10)
MAX_SHORT_ANSWER = 500


@dataclass
class PaperQuestion:
    question: QuestionOutline
    choices: list[dict[str, Any]]  # id and text only, in the paper's order
    response: Any


def quiz_of(version: Outline, *, kind: str, module_slug: str | None = None) -> QuizOutline:
    quiz = version.quiz_of_kind(kind, module_slug)
    if quiz is None:
        raise NotFound("Kuis tidak ditemukan.")
    return quiz


def posttest_passed(session: Session, *, enrollment_id: int) -> bool:
    return repository.posttest_passed(session, enrollment_id=enrollment_id)


def draw_paper(quiz: QuizOutline) -> list[dict[str, Any]]:
    """A new attempt's paper: which questions, and each one's choice order."""
    rng = clock.rng()
    paper = []
    for question in _choose_questions(quiz, rng):
        ids = [c.id for c in question.choices]
        if quiz.shuffle_choices and question.type in ("single", "multiple"):
            rng.shuffle(ids)
        paper.append({"key": question.key, "choices": ids})
    return paper


def _choose_questions(quiz: QuizOutline, rng: random.Random) -> list[QuestionOutline]:
    pool = list(quiz.questions)
    if quiz.draw_per_objective:
        return _draw_per_objective(pool, quiz.draw_per_objective, rng)
    if quiz.draw and quiz.draw < len(pool):
        chosen = rng.sample(pool, quiz.draw)
        chosen.sort(key=lambda q: q.position)  # drawn at random, shown in the author's order
        return chosen
    return pool


def _draw_per_objective(
    pool: list[QuestionOutline], k: int, rng: random.Random
) -> list[QuestionOutline]:
    """`k` questions for every objective the pool measures, in random order: each attempt of
    the pre-test and the post-test then weighs the objectives alike, so the gain compares like
    with like. (The course check makes sure every objective has at least `k`.)"""
    by_objective: dict[str, list[QuestionOutline]] = {}
    for question in pool:
        if question.objective:
            by_objective.setdefault(question.objective, []).append(question)
    chosen = [
        question
        for questions in by_objective.values()
        for question in rng.sample(questions, min(k, len(questions)))
    ]
    rng.shuffle(chosen)
    return chosen


def is_expired(attempt: Attempt) -> bool:
    return attempt.deadline is not None and clock.now() > attempt.deadline + GRACE


def quiz_key(quiz: QuizOutline) -> str:
    """A quiz's name that outlives a course version: what an allowance is granted on."""
    return f"module:{quiz.module_slug}" if quiz.kind == "module" else quiz.kind


@dataclass(frozen=True)
class Allowed:
    """What a trainer granted one learner on one quiz (app/trainer): none by default."""

    extra_attempts: int = 0
    extra_minutes: int = 0


def allowed(session: Session, *, enrollment_id: int, quiz: QuizOutline) -> Allowed:
    row = repository.allowance(session, enrollment_id=enrollment_id, quiz_key=quiz_key(quiz))
    return Allowed(row.extra_attempts, row.extra_minutes) if row else Allowed()


def start_blocked(
    *, quiz: QuizOutline, attempts: list[Attempt], max_attempts: int, extra: int = 0
) -> str | None:
    """Why a new attempt may not start, or None. Pre-test once; post-test until passed, at most
    `max_attempts` times; module quizzes as often as the learner likes. `extra` attempts a
    trainer granted come on top (app/trainer)."""
    if quiz.kind == "pretest" and len(attempts) >= 1 + extra:
        return "Pre-test hanya dikerjakan satu kali."
    if quiz.kind == "posttest":
        if any(a.passed for a in attempts):
            return "Anda sudah lulus post-test kursus ini."
        if len(attempts) >= max_attempts + extra:
            return f"Kesempatan post-test sudah habis ({max_attempts + extra} kali)."
    return None


def order_blocked(
    session: Session, *, enrollment: Enrollment, version: Outline, quiz: QuizOutline
) -> str | None:
    """Why the course's order (PRODUCT.md §4) keeps this quiz closed now, or None: the
    pre-test comes before the first lesson and the post-test; the post-test opens once the
    pre-test is done and every lesson is (unless the course does not require lessons).
    Module quizzes are practice and always open."""
    if quiz.kind == "pretest":
        if learning_repository.completed_keys(session, enrollment.id):
            return (
                "Pre-test hanya dapat dikerjakan sebelum pelajaran pertama; "
                "Anda sudah mulai mempelajari materi."
            )
        if repository.has_attempt(session, enrollment_id=enrollment.id, kind="posttest"):
            return "Pre-test tidak dapat dikerjakan lagi setelah post-test dimulai."
    elif quiz.kind == "posttest":
        if learning.pretest_pending(version, enrollment):
            return "Kerjakan pre-test terlebih dahulu."
        if version.completion.get("lessons", "all") == "all":
            done = learning_repository.completed_keys(session, enrollment.id)
            left = sum(1 for m, les in version.lessons() if learning.lesson_key(m, les) not in done)
            if left:
                return (
                    "Post-test terbuka setelah semua pelajaran selesai; "
                    f"masih {left} pelajaran lagi."
                )
    return None


def start_attempt(session: Session, *, enrollment: Enrollment, quiz: QuizOutline) -> Attempt:
    """Start an attempt, or resume the one in progress. Parallel calls give one attempt: the
    enrolment row is locked (FOR UPDATE; IMMEDIATE on SQLite) before the read that decides."""
    locked = learning_repository.enrollment_by_id(session, enrollment.id, for_update=True)
    assert locked is not None
    if locked.version_id != quiz.version_id:
        # She moved to a newer version (another tab) since this quiz was loaded.
        raise Conflict("Kursus ini baru saja diperbarui. Buka kembali halaman kursus.")
    current = repository.open_attempt(session, enrollment_id=enrollment.id, quiz_id=quiz.id)
    if current is not None:
        if not is_expired(current):
            return current
        _finish(session, attempt=current)
    previous = repository.attempts(session, enrollment_id=enrollment.id, quiz_id=quiz.id)
    version = courses.outline(session, enrollment.version_id)
    assert version is not None
    granted = allowed(session, enrollment_id=enrollment.id, quiz=quiz)
    blocked = start_blocked(
        quiz=quiz,
        attempts=previous,
        max_attempts=version.max_attempts,
        extra=granted.extra_attempts,
    ) or order_blocked(session, enrollment=enrollment, version=version, quiz=quiz)
    if blocked:
        raise Conflict(blocked)
    now = clock.now()
    attempt = Attempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz.id,
        kind=quiz.kind,
        number=len(previous) + 1,
        started_at=now,
        deadline=now + timedelta(minutes=quiz.time_limit_minutes + granted.extra_minutes)
        if quiz.time_limit_minutes
        else None,
        paper=draw_paper(quiz),
    )
    session.add(attempt)
    session.flush()
    return attempt


def questions_of(session: Session, attempt: Attempt) -> Mapping[str, QuestionOutline]:
    """The attempt's quiz questions by key, from the outline of the enrolled version that each
    process keeps in memory (a version never changes), instead of loading the pool per save."""
    version = courses.outline(session, attempt.enrollment.version_id)
    quiz = version.quiz(attempt.quiz_id) if version is not None else None
    if quiz is None:
        raise NotFound("Kuis tidak ditemukan.")
    return quiz.by_key


def paper(session: Session, *, attempt: Attempt) -> list[PaperQuestion]:
    """The attempt's questions in order, with choices as shown and the saved responses.
    Correctness is not part of it: it is safe to render before submission."""
    by_key = questions_of(session, attempt)
    saved = repository.answers(session, attempt.id)
    out = []
    for item in attempt.paper:
        question = by_key[item["key"]]
        text = {c.id: c.text for c in question.choices}
        out.append(
            PaperQuestion(
                question=question,
                choices=[{"id": cid, "text": text[cid]} for cid in item["choices"]],
                response=saved[item["key"]].response if item["key"] in saved else None,
            )
        )
    return out


def first_unanswered(questions: list[PaperQuestion]) -> int:
    """The 1-based position where a learner resumes: the first question without a saved
    answer, or the last question when every one has one."""
    return next((i for i, p in enumerate(questions, 1) if p.response is None), len(questions))


def _validate(question: QuestionOutline, allowed: list[str], response: Any) -> Any:
    if response is None or response == "" or response == []:
        return None
    if question.type == "single":
        if not isinstance(response, str) or response not in allowed:
            raise Invalid("Pilihan jawaban tidak dikenal.")
        return response
    if question.type == "multiple":
        if not isinstance(response, list) or not all(
            isinstance(r, str) and r in allowed for r in response
        ):
            raise Invalid("Pilihan jawaban tidak dikenal.")
        return sorted(set(response), key=allowed.index)
    if question.type == "truefalse":
        if not isinstance(response, bool):
            raise Invalid("Jawaban harus benar atau salah.")
        return response
    if not isinstance(response, str) or len(response) > MAX_SHORT_ANSWER:
        raise Invalid(f"Jawaban singkat berupa teks, maksimal {MAX_SHORT_ANSWER} karakter.")
    return response.strip() or None


def save_answer(
    session: Session, *, attempt: Attempt, question_key: str, response: Any
) -> Answer | None:
    """Save (or clear) one answer. Idempotent: the same request twice leaves one row."""
    if attempt.status != "in_progress":
        raise Conflict("Percobaan ini sudah selesai; jawaban tidak dapat diubah.")
    if is_expired(attempt):
        raise Conflict(
            "Waktu pengerjaan sudah habis; jawaban yang tersimpan sebelumnya tetap dinilai."
        )
    item = next((p for p in attempt.paper if p["key"] == question_key), None)
    if item is None:
        raise NotFound("Soal tidak ada dalam percobaan ini.")
    question = questions_of(session, attempt)[question_key]
    value = _validate(question, item["choices"], response)
    existing = repository.answer(session, attempt.id, question_key)
    if value is None:
        if existing is not None:
            session.delete(existing)
            session.flush()
        return None
    if existing is not None:
        existing.response = value
        existing.saved_at = clock.now()
        session.flush()
        return existing
    row = Answer(
        attempt_id=attempt.id, question_key=question_key, response=value, saved_at=clock.now()
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = repository.answer(session, attempt.id, question_key)
        if found is None:
            raise
        found.response = value
        found.saved_at = clock.now()
        session.flush()
        return found
    return row


def submit(session: Session, *, attempt_id: int) -> Attempt:
    """Grade the attempt once. A second (or parallel) submission returns the same result.
    (app.completion calls this and then checks whether the course is complete.)"""
    attempt = repository.attempt(session, attempt_id, for_update=True)
    if attempt is None:
        raise NotFound()
    if attempt.status == "in_progress":
        _finish(session, attempt=attempt)
    return attempt


def _finish(session: Session, *, attempt: Attempt) -> None:
    saved = repository.answers(session, attempt.id)
    by_key = questions_of(session, attempt)
    results = {
        item["key"]: grading.is_correct(
            by_key[item["key"]], saved[item["key"]].response if item["key"] in saved else None
        )
        for item in attempt.paper
    }
    total = len(results)
    score = round(100 * sum(results.values()) / total, 2) if total else 0.0
    enrollment = attempt.enrollment
    version = enrollment.version
    attempt.results = results
    attempt.score = score
    attempt.passed = score >= version.passing_score
    attempt.status = "expired" if is_expired(attempt) else "submitted"
    attempt.submitted_at = clock.now()
    if attempt.kind == "pretest":
        enrollment.pretest_score = score
    elif attempt.kind == "posttest":
        enrollment.posttest_score = max(score, enrollment.posttest_score or 0.0)
    if enrollment.pretest_score is not None and enrollment.posttest_score is not None:
        enrollment.learning_gain = round(enrollment.posttest_score - enrollment.pretest_score, 2)
    session.flush()


def attempts_left(session: Session, *, attempt: Attempt, version: Outline) -> int:
    """How many more attempts of the attempt's quiz its learner may start: none once she has
    passed the post-test or used them all; module quizzes are unlimited (-1)."""
    if attempt.kind == "module":
        return -1
    taken = repository.attempts(
        session, enrollment_id=attempt.enrollment_id, quiz_id=attempt.quiz_id
    )
    extra = repository.allowance(
        session, enrollment_id=attempt.enrollment_id, quiz_key=attempt.kind
    )
    granted = extra.extra_attempts if extra else 0
    if any(a.passed for a in taken):
        return 0
    if attempt.kind == "pretest":
        return max(0, 1 + granted - len(taken))
    return max(0, version.max_attempts + granted - len(taken))


def feedback_withheld(attempt: Attempt, version: Outline, *, attempts_left: int) -> str | None:
    """Why a graded attempt's feedback (correct answers, explanations, per-question marks) is
    withheld, or None when it may be shown. The one place for the rule (PRODUCT.md §4, §5):
    the pre-test never shows it (the post-test measures the same objectives); module quizzes
    always do (practice); the post-test follows the course's `review` setting."""
    if attempt.status == "in_progress":
        return "Pembahasan tersedia setelah jawaban dikumpulkan."
    if attempt.kind == "module":
        return None
    if attempt.kind == "pretest":
        return (
            "Kunci jawaban dan pembahasan pre-test tidak ditampilkan: soal-soal sejenis diujikan "
            "lagi di post-test, dan materi kursus membahasnya."
        )
    if version.review == "never":
        return "Kunci jawaban dan pembahasan post-test kursus ini tidak ditampilkan."
    if attempt.passed:
        return None
    if version.review == "after_pass":
        return "Kunci jawaban dan pembahasan ditampilkan setelah Anda lulus post-test."
    if attempts_left > 0:
        return (
            "Kunci jawaban dan pembahasan ditampilkan setelah Anda lulus atau kesempatan "
            f"post-test habis. Anda masih memiliki {attempts_left} kesempatan: pelajari kembali "
            "materinya, lalu coba lagi."
        )
    return None


def feedback_visible(attempt: Attempt, version: Outline, *, attempts_left: int) -> bool:
    return feedback_withheld(attempt, version, attempts_left=attempts_left) is None


def feedback_of(
    session: Session, *, attempt: Attempt, version: Outline | None = None
) -> str | None:
    """feedback_withheld for an attempt as things stand now (`version`: the enrolment's)."""
    version = version or courses.outline(session, attempt.enrollment.version_id)
    assert version is not None
    left = attempts_left(session, attempt=attempt, version=version)
    return feedback_withheld(attempt, version, attempts_left=left)


def attempt_for_user(session: Session, *, attempt_id: int, user_id: int) -> Attempt:
    attempt = repository.attempt(session, attempt_id)
    if attempt is None or attempt.enrollment.user_id != user_id:
        raise NotFound("Percobaan tidak ditemukan.")
    return attempt


def attempts_of(session: Session, *, enrollment: Enrollment, quiz: QuizOutline) -> list[Attempt]:
    return repository.attempts(session, enrollment_id=enrollment.id, quiz_id=quiz.id)


def saved_answers(session: Session, *, attempt_id: int) -> dict[str, Any]:
    """An attempt's saved responses by question key (for the trainer's view of her answers)."""
    return {key: a.response for key, a in repository.answers(session, attempt_id).items()}


def allowances_of(session: Session, *, enrollment_id: int) -> list[AttemptAllowance]:
    return repository.allowances(session, enrollment_id=enrollment_id)


GRANTABLE = ("pretest", "posttest")


def grant(
    session: Session,
    *,
    enrollment: Enrollment,
    quiz_key: str,
    extra_attempts: int,
    extra_minutes: int,
    actor: User,
) -> AttemptAllowance:
    """Give one learner more attempts and/or more minutes on one quiz; grants add up. The
    caller has checked that `actor` trains her run. Audited."""
    if quiz_key not in GRANTABLE:
        raise Invalid("Pilih pre-test atau post-test.")
    if extra_attempts < 0 or extra_minutes < 0 or not (extra_attempts or extra_minutes):
        raise Invalid("Isi tambahan kesempatan atau tambahan menit.")
    row = repository.allowance(session, enrollment_id=enrollment.id, quiz_key=quiz_key)
    if row is None:
        row = AttemptAllowance(
            enrollment_id=enrollment.id, quiz_key=quiz_key, extra_attempts=0, extra_minutes=0
        )
        session.add(row)
    row.extra_attempts += extra_attempts
    row.extra_minutes += extra_minutes
    row.granted_by_id = actor.id
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="attempt.allowance",
        object_type="enrollment",
        object_id=enrollment.id,
        detail={
            "quiz": quiz_key,
            "extra_attempts": extra_attempts,
            "extra_minutes": extra_minutes,
            "user_id": enrollment.user_id,
        },
    )
    return row
