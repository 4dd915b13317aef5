"""Whose people a viewer may see besides herself: the one rule behind every HR page, report and
export (PRODUCT.md §1: HR is scoped to one instansi; an HR role may be narrowed to a unit and
its sub-units; admins see everyone)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, true
from sqlalchemy.orm import Session

from app.models import Role, Unit, User
from app.org import service as org


@dataclass(frozen=True, slots=True)
class Scope:
    everyone: bool = False
    instansi_id: int | None = None
    unit_ids: frozenset[int] | None = None  # None: the whole instansi

    @property
    def nobody(self) -> bool:
        return not self.everyone and self.instansi_id is None

    def people(self) -> ColumnElement[bool]:
        """A WHERE clause on `User` that keeps the people in scope."""
        if self.everyone:
            return true()
        if self.instansi_id is None:
            return false()
        clause = User.instansi_id == self.instansi_id
        if self.unit_ids is not None:
            return and_(clause, User.unit_id.in_(sorted(self.unit_ids)))
        return clause

    def covers(self, person: User) -> bool:
        if self.everyone:
            return True
        if self.instansi_id is None or person.instansi_id != self.instansi_id:
            return False
        return self.unit_ids is None or person.unit_id in self.unit_ids

    def covers_unit(self, unit: Unit) -> bool:
        if self.everyone:
            return True
        if unit.instansi_id != self.instansi_id:
            return False
        return self.unit_ids is None or unit.id in self.unit_ids


NOBODY = Scope()
EVERYONE = Scope(everyone=True)


def scope_of(session: Session, viewer: User) -> Scope:
    """Admins see everyone; HR the instansi of her role (else her own), narrowed to the role's
    unit subtree when it has one; anybody else sees nobody but herself."""
    if viewer.has_role("admin"):
        return EVERYONE
    role = next((r for r in viewer.roles if r.role == Role.hr), None)
    if role is None:
        return NOBODY
    instansi_id = role.instansi_id or viewer.instansi_id
    if instansi_id is None:
        return NOBODY  # never "everyone without an instansi"
    if role.unit_id is None:
        return Scope(instansi_id=instansi_id)
    unit = session.get(Unit, role.unit_id)
    if unit is None or unit.instansi_id != instansi_id:
        return NOBODY
    return Scope(instansi_id=instansi_id, unit_ids=org.subtree_ids(session, unit=unit))


def may_see_records_of(session: Session, viewer: User, owner: User) -> bool:
    """A person's records (certificates, training, details) are seen by the person, by HR
    whose scope covers her, and by admins."""
    return viewer.id == owner.id or scope_of(session, viewer).covers(owner)


# Roles whose holders HR may not edit, deactivate or reset: only an admin manages staff
# accounts (a trainer, another HR officer, an admin).
_STAFF_ROLES = frozenset({Role.trainer, Role.hr, Role.admin})


def may_manage_person(session: Session, actor: User, person: User) -> bool:
    """Who may change a person's employment data, unit and status, or reset her password:
    an admin anyone (but see accounts.set_active for herself); HR the people in her scope who
    hold only the learner role; nobody else, and never HR on her own account."""
    if actor.has_role("admin"):
        return True
    if actor.id == person.id or not actor.has_role("hr"):
        return False
    if any(r.role in _STAFF_ROLES for r in person.roles):
        return False
    return scope_of(session, actor).covers(person)
