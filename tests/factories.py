"""Test data. Passwords share one precomputed Argon2id hash so tests stay fast."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import factory
from sqlalchemy.orm import Session

from app.core import clock, security
from app.models import Instansi, Role, Unit, User, UserRole

PASSWORD = "Rahasia-Uji-123"
PASSWORD_HASH = security.hash_password(PASSWORD)
_sequence = itertools.count(1)


def nip(female: bool = False) -> str:
    """A valid NIP, unique within the test run."""
    n = next(_sequence)
    return f"{1970 + n // 999:04d}0312201001{'2' if female else '1'}{n % 999 + 1:03d}"


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"


class InstansiFactory(_Base):
    class Meta:
        model = Instansi

    code = factory.Sequence(lambda n: f"9{n:03d}")
    name = factory.Sequence(lambda n: f"Pemerintah Kabupaten Uji {n}")


class UnitFactory(_Base):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"UNIT{n}")
    name = factory.Sequence(lambda n: f"Unit Uji {n}")
    instansi_id = factory.LazyAttribute(lambda o: o.instansi.id)
    instansi = factory.SubFactory(InstansiFactory)


class UserFactory(_Base):
    """`UserFactory(roles=("hr",))`: roles are attached after the user is flushed."""

    class Meta:
        model = User

    nip = factory.LazyFunction(nip)
    name = factory.Sequence(lambda n: f"Pegawai Uji {n}, S.Kom.")
    jenis_asn = "PNS"
    password_hash = PASSWORD_HASH
    is_active = True
    must_change_password = False
    privacy_accepted_at = factory.LazyFunction(clock.now)

    @classmethod
    def _create(cls, model_class, *args, roles=("learner",), **kwargs):  # type: ignore[no-untyped-def]
        user = model_class(*args, **kwargs)
        for name in roles:
            user.roles.append(
                UserRole(role=Role(name), instansi_id=user.instansi_id if name == "hr" else None)
            )
        session = cls._meta.sqlalchemy_session
        session.add(user)
        session.flush()
        return user


def bind(session: Session) -> None:
    for f in (InstansiFactory, UnitFactory, UserFactory):
        f._meta.sqlalchemy_session = session


@dataclass
class World:
    instansi: Instansi
    other_instansi: Instansi
    unit: Unit
    learner: User
    learner2: User
    trainer: User
    hr: User
    hr_other: User
    admin: User


def build_world(session: Session) -> World:
    bind(session)
    instansi = InstansiFactory(code="3206", name="Pemerintah Kabupaten Tasikmalaya")
    other = InstansiFactory(code="3207", name="Pemerintah Kabupaten Ciamis")
    unit = UnitFactory(instansi=instansi, code="KEC.SGP", name="Kecamatan Singaparna")

    def person(roles: tuple[str, ...], inst: Instansi, **kw: object) -> User:
        return UserFactory(
            roles=roles, instansi_id=inst.id, unit_id=unit.id if inst is instansi else None, **kw
        )

    world = World(
        instansi=instansi,
        other_instansi=other,
        unit=unit,
        learner=person(("learner",), instansi, name="Rina Marlina, S.E.", email="rina@contoh.test"),
        learner2=person(("learner",), instansi, name="Euis Suryani"),
        trainer=person(("trainer", "learner"), instansi, name="Dr. Ade Setiadi, S.T., M.Si."),
        hr=person(("hr",), instansi, name="Sri Mulyani, S.Sos."),
        hr_other=person(("hr",), other, name="Dewi Lestari"),
        admin=person(("admin",), instansi, nip=None, email="admin@contoh.test", name="Admin"),
    )
    session.commit()
    return world
