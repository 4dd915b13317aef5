"""People placed in a unit tree with known JP, for the staff directory tests.

3206 Tasikmalaya
├── DINKES            ani (PNS III/d fungsional, 12 Cakap + 12 external = 24 JP: met)
│   └── DINKES.YANKES budi (PNS II/c pelaksana, 8 JP; 30 JP last year), eko (retired, 30 JP),
│       │             fajar (deactivated)
│       └── DINKES.YANKES.1  citra (PPPK IX fungsional, 20 JP: met)
└── DISKOMINFO        dodi (CPNS III/a pelaksana, 0 JP)
(world: KEC.SGP with the personas)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from app.core import clock
from app.models import JpEntry, Role, Unit, User
from tests import factories
from tests.factories import UnitFactory, UserFactory, World


@dataclass
class Tree:
    dinkes: Unit
    yankes: Unit
    yankes1: Unit
    diskominfo: Unit
    ani: User
    budi: User
    citra: User
    dodi: User
    eko: User
    fajar: User
    hr_diskominfo: User  # an HR officer narrowed to the DISKOMINFO subtree


def jp(
    session: Session, user: User, amount: int, *, year: int | None = None, source: str = "course"
) -> None:
    year = year or clock.local_today().year
    session.add(
        JpEntry(
            user_id=user.id,
            year=year,
            jp=amount,
            source=source,
            title=f"Pelatihan {source} {amount} JP",
            earned_on=clock.local_today().replace(year=year),
        )
    )
    session.flush()


def build_tree(session: Session, world: World) -> Tree:
    factories.bind(session)
    inst = world.instansi
    dinkes = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    yankes = UnitFactory(
        instansi=inst, code="DINKES.YANKES", name="Bidang Pelayanan Kesehatan", parent_id=dinkes.id
    )
    yankes1 = UnitFactory(
        instansi=inst, code="DINKES.YANKES.1", name="Seksi Rujukan", parent_id=yankes.id
    )
    diskominfo = UnitFactory(
        instansi=inst, code="DISKOMINFO", name="Dinas Komunikasi dan Informatika"
    )

    def person(name: str, unit: Unit, **kw: object) -> User:
        return UserFactory(name=name, instansi_id=inst.id, unit_id=unit.id, **kw)

    ani = person(
        "Ani Rahmawati, S.Kep.",
        dinkes,
        golongan="III/d",
        jenis_jabatan="fungsional",
        jabatan="Perawat Ahli Muda",
    )
    budi = person("Budi Santoso", yankes, golongan="II/c", jenis_jabatan="pelaksana")
    citra = person(
        "Citra Dewi, A.Md.", yankes1, jenis_asn="PPPK", golongan="IX", jenis_jabatan="fungsional"
    )
    dodi = person(
        "Dodi Pratama", diskominfo, jenis_asn="CPNS", golongan="III/a", jenis_jabatan="pelaksana"
    )
    eko = person(
        "Eko Wahyudi", yankes, golongan="IV/a", retired_on=clock.local_today() - timedelta(days=1)
    )
    fajar = person("Fajar Nugraha", yankes, is_active=False)
    hr_diskominfo = UserFactory(
        roles=("hr",), name="Hana BKPSDM Diskominfo", instansi_id=inst.id, unit_id=diskominfo.id
    )
    next(r for r in hr_diskominfo.roles if r.role == Role.hr).unit_id = diskominfo.id
    jp(session, ani, 12)
    jp(session, ani, 12, source="external")
    jp(session, budi, 8)
    jp(session, budi, 30, year=clock.local_today().year - 1)
    jp(session, citra, 20)
    jp(session, eko, 30)
    session.commit()
    return Tree(
        dinkes, yankes, yankes1, diskominfo, ani, budi, citra, dodi, eko, fajar, hr_diskominfo
    )
