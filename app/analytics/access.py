"""Whose figures a viewer reads for one course: HR keeps her scope (app/accounts/scope.py);
a trainer of the course (app/courses/teaching.py) reads all its learners; admins everyone."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.accounts.scope import EVERYONE, Scope
from app.courses import teaching
from app.models import User


def course_scope(session: Session, *, viewer: User, course_id: int) -> Scope:
    scope = accounts.scope_of(session, viewer)
    if scope.everyone or not viewer.has_role("trainer"):
        return scope
    if teaching.teaches(session, user=viewer, course_id=course_id):
        return EVERYONE
    return scope
