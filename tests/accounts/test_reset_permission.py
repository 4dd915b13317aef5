"""Who may give someone a temporary password (issue 9, item 15): an admin anyone; HR only the
learners of its own instansi, never a staff account nor anyone outside its scope."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from app.accounts import service as accounts
from app.core.errors import Forbidden
from app.models import User
from tests.factories import PASSWORD_HASH, UserFactory, World


def _learner_of(world: World, *, other: bool = False) -> User:
    instansi = world.other_instansi if other else world.instansi
    return UserFactory(roles=("learner",), instansi_id=instansi.id)


def test_hr_may_reset_a_learner_of_its_own_instansi(session: Session, world: World) -> None:
    assert accounts.may_reset_password(world.hr, world.learner)
    code = accounts.reset_password(session, user=world.learner, actor=world.hr)
    assert code and world.learner.must_change_password
    assert world.learner.password_hash != PASSWORD_HASH


@pytest.mark.parametrize("target", ["other_instansi", "no_instansi", "trainer", "hr", "admin"])
def test_hr_may_not_reset_staff_or_people_outside_its_instansi(
    session: Session, world: World, target: str
) -> None:
    person = {
        "other_instansi": lambda: _learner_of(world, other=True),
        "no_instansi": lambda: UserFactory(roles=("learner",), instansi_id=None),
        "trainer": lambda: world.trainer,
        "hr": lambda: UserFactory(roles=("hr",), instansi_id=world.instansi.id),
        "admin": lambda: world.admin,
    }[target]()
    assert not accounts.may_reset_password(world.hr, person)
    with pytest.raises(Forbidden):
        accounts.reset_password(session, user=person, actor=world.hr)
    assert person.password_hash == PASSWORD_HASH and not person.must_change_password


def test_hr_scope_follows_the_role_not_only_the_account(session: Session, world: World) -> None:
    # An HR officer of the other instansi may reset that instansi's learners, not ours.
    assert accounts.may_reset_password(world.hr_other, _learner_of(world, other=True))
    assert not accounts.may_reset_password(world.hr_other, world.learner)


def test_learners_and_trainers_may_reset_nobody(session: Session, world: World) -> None:
    for actor in (world.learner2, world.trainer):
        assert not accounts.may_reset_password(actor, world.learner)
        with pytest.raises(Forbidden):
            accounts.reset_password(session, user=world.learner, actor=actor)


def test_an_admin_may_reset_anyone(session: Session, world: World) -> None:
    for person in (world.learner, world.trainer, world.hr, world.hr_other):
        assert accounts.may_reset_password(world.admin, person)
    accounts.reset_password(session, user=world.hr_other, actor=world.admin)
    assert world.hr_other.must_change_password
