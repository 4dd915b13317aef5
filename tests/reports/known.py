"""People placed in a unit tree with known learning: the figures every report test checks.

Instansi 3206 (the world's): DINKES → DINKES.P2P → DINKES.P2P.SURV, DISDIK, and the world's
KEC.SGP (the world's learner, learner2, trainer and HR officer, 0 JP each; the admin has no
NIP and is no ASN). JP of the current year:

    a1 DINKES          course 12 + external 8 = 20   met
    a2 DINKES.P2P      course 6                       not met
    a3 DINKES.P2P.SURV external 25 (and 30 last year)  met
    a4 DINKES.P2P.SURV nothing                        not met
    a5 DISDIK (PPPK IX) course 20                     met
    a6 DISDIK retired yesterday, 30                   not counted
    a7 DISDIK deactivated, 30                         not counted
    a8 DISDIK retires next year, 4                    not met
    x1 another instansi, 40                           never seen by this HR
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from app.core import clock
from app.courses import runs
from app.models import (
    Certificate,
    Course,
    CourseVersion,
    Enrollment,
    ExternalTraining,
    JpEntry,
    Unit,
    User,
)
from tests.factories import UnitFactory, UserFactory, World

YEAR = clock.local_today().year


@dataclass
class Known:
    world: World
    dinkes: Unit
    p2p: Unit
    surv: Unit
    disdik: Unit
    people: dict[str, User]
    course_a: Course
    course_b: Course
    certificate_numbers: list[str]
    revoked_number: str


def _jp(session: Session, user: User, jp: int, source: str, year: int = YEAR) -> None:
    session.add(
        JpEntry(
            user_id=user.id,
            year=year,
            jp=jp,
            source=source,
            title=f"Pelatihan {source}",
            earned_on=date(year, 3, 1),
        )
    )


def _course(session: Session, slug: str, code: str, title: str, jp: int) -> Course:
    course = Course(slug=slug, code=code, status="published")
    session.add(course)
    session.flush()
    version = CourseVersion(
        course_id=course.id,
        number=1,
        content_hash="0" * 64,
        title=title,
        summary="Ringkasan",
        jp=jp,
        competency_area="digital",
        level="dasar",
    )
    session.add(version)
    session.flush()
    course.current_version_id = version.id
    session.flush()
    return course


def build(session: Session, world: World) -> Known:
    inst = world.instansi
    dinkes = UnitFactory(instansi=inst, code="DINKES", name="Dinas Kesehatan")
    p2p = UnitFactory(
        instansi=inst, code="DINKES.P2P", name="Bidang Pencegahan Penyakit", parent_id=dinkes.id
    )
    surv = UnitFactory(
        instansi=inst, code="DINKES.P2P.SURV", name="Seksi Surveilans", parent_id=p2p.id
    )
    disdik = UnitFactory(instansi=inst, code="DISDIK", name="Dinas Pendidikan")
    today = clock.local_today()

    def person(key: str, unit: Unit, **kw: object) -> User:
        return UserFactory(
            instansi_id=inst.id, unit_id=unit.id, name=f"Pegawai {key.upper()}", **kw
        )

    p = {
        "a1": person("a1", dinkes, golongan="III/d", jenis_jabatan="fungsional"),
        "a2": person("a2", p2p, golongan="III/a", jenis_jabatan="pelaksana"),
        "a3": person("a3", surv, golongan="III/d", jenis_jabatan="fungsional"),
        "a4": person("a4", surv, golongan="II/c", jenis_jabatan="pelaksana"),
        "a5": person("a5", disdik, jenis_asn="PPPK", golongan="IX", jenis_jabatan="fungsional"),
        "a6": person("a6", disdik, retired_on=today - timedelta(days=1)),
        "a7": person("a7", disdik, is_active=False),
        "a8": person("a8", disdik, retired_on=date(today.year + 1, 6, 1)),
    }
    p["x1"] = UserFactory(instansi_id=world.other_instansi.id, name="Pegawai Lain")
    _jp(session, p["a1"], 12, "course")
    _jp(session, p["a1"], 8, "external")
    _jp(session, p["a2"], 6, "course")
    _jp(session, p["a3"], 25, "external")
    _jp(session, p["a3"], 30, "course", year=YEAR - 1)
    _jp(session, p["a5"], 20, "course")
    _jp(session, p["a6"], 30, "course")
    _jp(session, p["a7"], 30, "course")
    _jp(session, p["a8"], 4, "external")
    _jp(session, p["x1"], 40, "course")

    course_a = _course(session, "literasi-uji", "LIT", "Literasi Digital bagi ASN", 8)
    course_b = _course(session, "data-uji", "DATA", "Keputusan Berbasis Data", 6)
    started = datetime(YEAR, 2, 1, 2, 0, tzinfo=UTC)
    finished = datetime(YEAR, 2, 20, 18, 30, tzinfo=UTC)  # 21 February in WIB

    def enrol(user: User, course: Course, done: bool) -> Enrollment:
        e = Enrollment(
            user_id=user.id,
            course_id=course.id,
            version_id=course.current_version_id,
            run_id=runs.open_run(session, course_id=course.id).id,
            status="completed" if done else "in_progress",
            enrolled_at=started,
            completed_at=finished if done else None,
        )
        session.add(e)
        session.flush()
        return e

    e1 = enrol(p["a1"], course_a, True)
    enrol(p["a2"], course_a, False)
    e5 = enrol(p["a5"], course_a, True)
    enrol(p["a3"], course_b, False)
    ex = enrol(p["x1"], course_a, True)

    def certificate(e: Enrollment, seq: int, status: str = "valid") -> str:
        number = f"{seq:05d}/LIT/BKPSDM/{YEAR}"
        session.add(
            Certificate(
                enrollment_id=e.id,
                user_id=e.user_id,
                course_id=e.course_id,
                version_id=e.version_id,
                year=YEAR,
                seq=seq,
                number=number,
                verification_code=f"kode{seq}",
                issued_on=date(YEAR, 2, 21),
                predicate="Baik",
                status=status,
                pdf=b"%PDF-1.7",
                sha256="0" * 64,
            )
        )
        return number

    numbers = [certificate(e1, 1)]
    revoked = certificate(e5, 2, status="revoked")
    certificate(ex, 3)

    def external(user: User, number: str, status: str, organiser: str) -> None:
        session.add(
            ExternalTraining(
                user_id=user.id,
                title="Pelatihan Keamanan Siber",
                organiser=organiser,
                certificate_number=number,
                number_key=number.lower(),
                start_date=date(YEAR, 5, 4),
                end_date=date(YEAR, 5, 6),
                jp=25,
                certificate=b"%PDF",
                certificate_sha256=number.ljust(64, "0")[:64],
                filename="s.pdf",
                status=status,
            )
        )

    external(p["a3"], "=EXT-001", "verified", "@BSSN")
    external(p["a2"], "EXT-PENDING", "pending", "BSSN")
    numbers.append("=EXT-001")
    session.commit()
    return Known(world, dinkes, p2p, surv, disdik, p, course_a, course_b, numbers, revoked)
