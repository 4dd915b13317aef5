from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Answer, Attempt, AttemptAllowance, Quiz

# Every answer save loads its attempt: built once. The quiz and its questions are not loaded
# here; they come from the course outline each process keeps (service.questions_of).
_ATTEMPT = (
    select(Attempt)
    .options(joinedload(Attempt.enrollment))
    .where(Attempt.id == bindparam("attempt_id"))
)


def attempt(session: Session, attempt_id: int, *, for_update: bool = False) -> Attempt | None:
    stmt = _ATTEMPT.with_for_update(of=Attempt) if for_update else _ATTEMPT
    return session.scalars(stmt, {"attempt_id": attempt_id}).unique().first()


def open_attempt(session: Session, *, enrollment_id: int, quiz_id: int) -> Attempt | None:
    stmt = select(Attempt).where(
        Attempt.enrollment_id == enrollment_id,
        Attempt.quiz_id == quiz_id,
        Attempt.status == "in_progress",
    )
    return session.scalars(stmt).first()


def attempts(session: Session, *, enrollment_id: int, quiz_id: int | None = None) -> list[Attempt]:
    stmt = select(Attempt).where(Attempt.enrollment_id == enrollment_id).order_by(Attempt.number)
    if quiz_id is not None:
        stmt = stmt.where(Attempt.quiz_id == quiz_id)
    return list(session.scalars(stmt))


def attempt_count(session: Session, *, enrollment_id: int, quiz_id: int) -> int:
    stmt = select(func.count()).where(
        Attempt.enrollment_id == enrollment_id, Attempt.quiz_id == quiz_id
    )
    return int(session.scalar(stmt) or 0)


def posttest_passed(session: Session, *, enrollment_id: int) -> bool:
    stmt = select(Attempt.id).where(
        Attempt.enrollment_id == enrollment_id, Attempt.kind == "posttest", Attempt.passed.is_(True)
    )
    return session.scalars(stmt).first() is not None


def has_attempt(session: Session, *, enrollment_id: int, kind: str) -> bool:
    stmt = select(Attempt.id).where(Attempt.enrollment_id == enrollment_id, Attempt.kind == kind)
    return session.scalars(stmt.limit(1)).first() is not None


def answers(session: Session, attempt_id: int) -> dict[str, Answer]:
    return {
        a.question_key: a
        for a in session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))
    }


def answer(session: Session, attempt_id: int, key: str) -> Answer | None:
    stmt = select(Answer).where(Answer.attempt_id == attempt_id, Answer.question_key == key)
    return session.scalars(stmt).first()


def quiz(session: Session, quiz_id: int) -> Quiz | None:
    stmt = select(Quiz).options(selectinload(Quiz.questions)).where(Quiz.id == quiz_id)
    return session.scalars(stmt).first()


def passed_posttests(session: Session, enrollment_ids: list[int]) -> set[int]:
    if not enrollment_ids:
        return set()
    stmt = select(Attempt.enrollment_id).where(
        Attempt.enrollment_id.in_(enrollment_ids),
        Attempt.kind == "posttest",
        Attempt.passed.is_(True),
    )
    return set(session.scalars(stmt))


def allowance(session: Session, *, enrollment_id: int, quiz_key: str) -> AttemptAllowance | None:
    stmt = select(AttemptAllowance).where(
        AttemptAllowance.enrollment_id == enrollment_id, AttemptAllowance.quiz_key == quiz_key
    )
    return session.scalars(stmt).first()


def allowances(session: Session, *, enrollment_id: int) -> list[AttemptAllowance]:
    stmt = select(AttemptAllowance).where(AttemptAllowance.enrollment_id == enrollment_id)
    return list(session.scalars(stmt.order_by(AttemptAllowance.quiz_key)))
