"""Whose people a viewer may see: instansi, a unit subtree, everyone, nobody."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.models import Role, User
from tests import factories
from tests.factories import UnitFactory, UserFactory, World


def _visible(session: Session, viewer: User) -> set[int]:
    clause = accounts.scope_of(session, viewer).people()
    return set(session.scalars(select(User.id).where(clause)))


def test_hr_sees_her_instansi_and_not_another(session: Session, world: World) -> None:
    seen = _visible(session, world.hr)
    assert {world.learner.id, world.learner2.id, world.trainer.id} <= seen
    assert world.hr_other.id not in seen
    assert accounts.may_see_records_of(session, world.hr, world.learner)
    assert not accounts.may_see_records_of(session, world.hr_other, world.learner)


def test_hr_scoped_to_a_unit_sees_its_subtree_only(session: Session, world: World) -> None:
    factories.bind(session)
    opd = UnitFactory(instansi=world.instansi, code="DISKOMINFO", name="Diskominfo")
    bidang = UnitFactory(instansi=world.instansi, code="DISKOMINFO.TIK", parent_id=opd.id)
    seksi = UnitFactory(instansi=world.instansi, code="DISKOMINFO.TIK.1", parent_id=bidang.id)
    deep = UserFactory(instansi_id=world.instansi.id, unit_id=seksi.id)
    top = UserFactory(instansi_id=world.instansi.id, unit_id=opd.id)
    hr_bidang = UserFactory(roles=("hr",), instansi_id=world.instansi.id, unit_id=bidang.id)
    next(r for r in hr_bidang.roles if r.role == Role.hr).unit_id = bidang.id
    session.flush()

    seen = _visible(session, hr_bidang)
    assert deep.id in seen and hr_bidang.id in seen
    assert top.id not in seen  # the parent unit is outside her subtree
    assert world.learner.id not in seen  # another unit of the same instansi
    assert accounts.may_see_records_of(session, hr_bidang, deep)
    assert not accounts.may_see_records_of(session, hr_bidang, world.learner)


def test_admin_sees_everyone_and_a_learner_nobody_else(session: Session, world: World) -> None:
    assert {world.hr_other.id, world.learner.id} <= _visible(session, world.admin)
    assert _visible(session, world.learner) == set()
    assert accounts.may_see_records_of(session, world.learner, world.learner)
    assert not accounts.may_see_records_of(session, world.learner, world.learner2)


def test_hr_without_an_instansi_sees_nobody(session: Session, world: World) -> None:
    factories.bind(session)
    stray = UserFactory(roles=("hr",), instansi_id=None)
    nobody_home = UserFactory(instansi_id=None)
    assert _visible(session, stray) == set()
    assert not accounts.may_see_records_of(session, stray, nobody_home)
