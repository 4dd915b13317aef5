"""Demonstration data: Pemerintah Kabupaten Tasikmalaya with a unit tree, one account per role,
and about fifty learners. Loaded once; a database that already has an instansi is left alone."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.completion import service as completion
from app.core import clock, security
from app.courses.outline import Outline
from app.models import (
    Assignment,
    AssignmentUnit,
    Attempt,
    Course,
    CourseRun,
    Enrollment,
    Instansi,
    Role,
    Unit,
    User,
    UserRole,
)

INSTANSI_CODE = "3206"
INSTANSI_NAME = "Pemerintah Kabupaten Tasikmalaya"

ADMIN_PASSWORD = "Admin-Cakap-2026"
HR_PASSWORD = "Bkpsdm-Cakap-2026"
TRAINER_PASSWORD = "Widyaiswara-2026"
LEARNER_PASSWORD = "Peserta-Cakap-2026"

# (code, name, parent code)
UNITS = [
    ("SETDA", "Sekretariat Daerah", None),
    ("SETDA.ORG", "Bagian Organisasi", "SETDA"),
    ("SETDA.UMUM", "Bagian Umum", "SETDA"),
    ("BKPSDM", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", None),
    ("BKPSDM.PK", "Bidang Pengembangan Kompetensi Aparatur", "BKPSDM"),
    ("DISKOMINFO", "Dinas Komunikasi dan Informatika", None),
    ("DISKOMINFO.APTIKA", "Bidang Aplikasi Informatika", "DISKOMINFO"),
    ("DISKOMINFO.STAT", "Bidang Statistik dan Persandian", "DISKOMINFO"),
    ("BAPPELITBANGDA", "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah", None),
    ("DINKES", "Dinas Kesehatan", None),
    ("DINKES.PKM-SGP", "UPTD Puskesmas Singaparna", "DINKES"),
    ("DISDUKCAPIL", "Dinas Kependudukan dan Pencatatan Sipil", None),
    ("KEC.SINGAPARNA", "Kecamatan Singaparna", None),
    ("KEC.MANONJAYA", "Kecamatan Manonjaya", None),
    ("KEC.CIGALONTANG", "Kecamatan Cigalontang", None),
]

ADMIN = ("admin@cakap.test", "Administrator Cakap")
HR = (
    "198207142006042003",
    "Sri Mulyani Rahayu, S.Sos., M.M.",
    "BKPSDM.PK",
    "III/d",
    "administrator",
    "Kepala Bidang Pengembangan Kompetensi Aparatur",
)
TRAINER = (
    "197605212001121002",
    "Dr. Ade Setiadi, S.T., M.Si.",
    "BKPSDM.PK",
    "IV/a",
    "fungsional",
    "Widyaiswara Ahli Madya",
)
LEARNER = (
    "199003142015032001",
    "Rina Marlina, S.E.",
    "KEC.SINGAPARNA",
    "III/b",
    "pelaksana",
    "Pengolah Data Kependudukan",
)

DEMO_LOGINS = [
    ("admin", ADMIN[0], ADMIN_PASSWORD),
    ("hr (BKPSDM)", HR[0], HR_PASSWORD),
    ("trainer (widyaiswara)", TRAINER[0], TRAINER_PASSWORD),
    ("learner (peserta)", LEARNER[0], LEARNER_PASSWORD),
    ("learner lain (50 orang)", "lihat /admin/users", LEARNER_PASSWORD),
]

GIVEN_F = [
    "Siti",
    "Dewi",
    "Euis",
    "Neneng",
    "Yuyun",
    "Lilis",
    "Rini",
    "Tati",
    "Nurul",
    "Ai",
    "Wulan",
    "Intan",
    "Fitri",
    "Rosita",
    "Yeni",
]
GIVEN_M = [
    "Asep",
    "Dadang",
    "Ujang",
    "Cecep",
    "Agus",
    "Budi",
    "Dedi",
    "Iwan",
    "Yusuf",
    "Hendra",
    "Rudi",
    "Dani",
    "Ahmad",
    "Ridwan",
    "Irfan",
]
FAMILY = [
    "Suryana",
    "Hidayat",
    "Permana",
    "Kurniawan",
    "Saputra",
    "Rahmawati",
    "Nugraha",
    "Sulaeman",
    "Maulana",
    "Gunawan",
    "Wahyudi",
    "Setiawan",
    "Fauzi",
    "Lestari",
    "Kusnadi",
]
TITLES = [
    "",
    "",
    "S.Kom.",
    "S.E.",
    "S.Sos.",
    "S.I.P.",
    "A.Md.",
    "S.Kep., Ners",
    "S.T.",
    "S.H.",
    "S.Stat.",
    "M.Si.",
]
JOBS = [
    ("pelaksana", "Pengadministrasi Umum"),
    ("pelaksana", "Pengolah Data dan Informasi"),
    ("fungsional", "Pranata Komputer Ahli Pertama"),
    ("fungsional", "Statistisi Ahli Pertama"),
    ("fungsional", "Perawat Ahli Pertama"),
    ("fungsional", "Analis Kebijakan Ahli Muda"),
    ("pengawas", "Kepala Subbagian Umum dan Kepegawaian"),
    ("administrator", "Sekretaris Kecamatan"),
]
GOLONGAN = ["II/c", "II/d", "III/a", "III/a", "III/b", "III/b", "III/c", "III/d"]
LEARNER_UNITS = [
    "SETDA.ORG",
    "SETDA.UMUM",
    "DISKOMINFO.APTIKA",
    "DISKOMINFO.STAT",
    "BAPPELITBANGDA",
    "DINKES.PKM-SGP",
    "DISDUKCAPIL",
    "KEC.SINGAPARNA",
    "KEC.MANONJAYA",
    "KEC.CIGALONTANG",
]


def _nip(rng: random.Random, female: bool, seq: int, today: date) -> str:
    birth = date(rng.randint(1968, 1998), rng.randint(1, 12), rng.randint(1, 28))
    tmt_year = rng.randint(birth.year + 22, min(birth.year + 32, today.year - 1))
    return f"{birth:%Y%m%d}{tmt_year:04d}{rng.randint(1, 12):02d}{'2' if female else '1'}{seq:03d}"


def load_demo(session: Session) -> bool:
    """Load the demo once; returns False when the database already has an instansi."""
    if session.scalar(select(func.count()).select_from(Instansi)):
        return False
    instansi = Instansi(code=INSTANSI_CODE, name=INSTANSI_NAME)
    session.add(instansi)
    session.flush()
    units: dict[str, Unit] = {}
    for code, name, parent in UNITS:
        unit = Unit(
            instansi_id=instansi.id,
            code=code,
            name=name,
            parent_id=units[parent].id if parent else None,
        )
        session.add(unit)
        session.flush()
        units[code] = unit

    hashes: dict[str, str] = {}

    def hashed(password: str) -> str:
        # One Argon2 hash per distinct password keeps loading fast; salts differ per password.
        if password not in hashes:
            hashes[password] = security.hash_password(password)
        return hashes[password]

    def person(
        nip: str | None,
        name: str,
        roles: list[Role],
        password: str,
        *,
        email: str | None = None,
        unit: str | None = None,
        golongan: str | None = None,
        jenis_jabatan: str | None = None,
        jabatan: str | None = None,
    ) -> User:
        user = User(
            nip=nip,
            email=email,
            name=name,
            jenis_asn="PNS" if nip else None,
            golongan=golongan,
            jenis_jabatan=jenis_jabatan,
            jabatan=jabatan,
            instansi_id=instansi.id,
            unit_id=units[unit].id if unit else None,
            password_hash=hashed(password),
            is_active=True,
        )
        for role in roles:
            user.roles.append(
                UserRole(role=role, instansi_id=instansi.id if role == Role.hr else None)
            )
        session.add(user)
        return user

    person(None, ADMIN[1], [Role.admin], ADMIN_PASSWORD, email=ADMIN[0])
    nip, name, unit_code, gol, kind, title = HR
    sri = person(
        nip,
        name,
        [Role.hr, Role.learner],
        HR_PASSWORD,
        unit=unit_code,
        golongan=gol,
        jenis_jabatan=kind,
        jabatan=title,
        email="sri.bkpsdm@cakap.test",
    )
    nip, name, unit_code, gol, kind, title = TRAINER
    trainer = person(
        nip,
        name,
        [Role.trainer, Role.learner],
        TRAINER_PASSWORD,
        unit=unit_code,
        golongan=gol,
        jenis_jabatan=kind,
        jabatan=title,
    )
    nip, name, unit_code, gol, kind, title = LEARNER
    person(
        nip,
        name,
        [Role.learner],
        LEARNER_PASSWORD,
        unit=unit_code,
        golongan=gol,
        jenis_jabatan=kind,
        jabatan=title,
    )

    rng = random.Random(3206)
    today = clock.today()
    used = {HR[0], TRAINER[0], LEARNER[0]}
    learners: list[User] = []
    for i in range(50):
        female = i % 2 == 0
        given = rng.choice(GIVEN_F if female else GIVEN_M)
        title = rng.choice(TITLES)
        name = f"{given} {rng.choice(FAMILY)}" + (f", {title}" if title else "")
        nip = _nip(rng, female, i + 1, today)
        while nip in used:
            nip = _nip(rng, female, i + 1, today)
        used.add(nip)
        kind, jabatan = rng.choice(JOBS)
        learners.append(
            person(
                nip,
                name,
                [Role.learner],
                LEARNER_PASSWORD,
                unit=rng.choice(LEARNER_UNITS),
                golongan=rng.choice(GOLONGAN),
                jenis_jabatan=kind,
                jabatan=jabatan,
            )
        )
    session.flush()
    runs = _teaching(session, trainer)
    _learning_history(session, learners, rng, runs)
    _assignments(session, instansi=instansi, units=units, by=sri)
    return True


# Mandatory training the demo's HR officer has set: one under way, one past its deadline, so
# the dashboard's "Pelatihan wajib" card, the assignment pages and the completion report's
# assigned/overdue columns have something to show.
DEMO_ASSIGNMENTS = (
    ("literasi-digital", ("DISKOMINFO", "KEC.SINGAPARNA"), -30, 21),
    ("smart-governance", ("SETDA",), -45, -3),
)


def _assignments(session: Session, *, instansi: Instansi, units: dict[str, Unit], by: User) -> None:
    """Written as rows rather than through the service, which refuses a deadline already
    past: the overdue one is backdated on purpose."""
    today = clock.local_today()
    for slug, unit_codes, start, due in DEMO_ASSIGNMENTS:
        course = session.scalar(select(Course).where(Course.slug == slug))
        if course is None or course.current_version_id is None:
            continue
        assignment = Assignment(
            instansi_id=instansi.id,
            course_id=course.id,
            created_by_id=by.id,
            start_on=today + timedelta(days=start),
            due_on=today + timedelta(days=due),
            status="active",
            all_units=False,
        )
        assignment.unit_targets = [AssignmentUnit(unit_id=units[c].id) for c in unit_codes]
        session.add(assignment)
    session.flush()


def _teaching(session: Session, trainer: User) -> dict[int, CourseRun]:
    """The demo trainer teaches every shipped course, each with a run (angkatan) of the demo
    instansi that half the demo learners join; the others learn self-paced (the open run)."""
    from app.catalog import service as catalog
    from app.courses import teaching

    runs: dict[int, CourseRun] = {}
    year = clock.today().year
    for entry in catalog.search(session, query=None, area=None, level=None):
        teaching.assign_trainer(session, course=entry.course, user=trainer, actor=None)
        run = CourseRun(
            course_id=entry.course.id,
            name=f"Angkatan I {year}",
            starts_on=date(year, 1, 2),
            instansi_id=trainer.instansi_id,
        )
        session.add(run)
        runs[entry.course.id] = run
    session.flush()
    return runs


def _learning_history(
    session: Session, learners: list[User], rng: random.Random, runs: dict[int, CourseRun]
) -> None:
    """Varied progress: some learners have not started, some are midway, some have finished
    courses this year (with pre/post-test scores and JP). Runs through the real services, each
    learner's steps dated on a day earlier this year."""
    from app.catalog import service as catalog
    from app.courses import service as courses
    from app.learning import service as learning

    outlines = [
        courses.published_course(session, slug=e.course.slug)
        for e in catalog.search(session, query=None, area=None, level=None)
    ]
    if not outlines:
        return
    today = clock.now()
    start_of_year = today.replace(month=1, day=2, hour=2, minute=0, second=0, microsecond=0)
    span = max(int((today - start_of_year).total_seconds()), 1)
    try:
        for index, user in enumerate(learners):
            if rng.random() < 0.15:
                continue  # has not started anything yet
            clock.freeze(start_of_year + timedelta(seconds=rng.randrange(span)))
            for version in rng.sample(outlines, rng.randint(1, len(outlines))):
                run = runs.get(version.course_id) if index % 2 == 0 else None
                enrollment = learning.enrol(session, user=user, version=version, run=run)
                skill = rng.random()
                if version.has_pretest and rng.random() < 0.2:
                    continue  # enrolled only: the lessons wait for the pre-test
                if version.has_pretest:
                    _quiz(session, enrollment, version, "pretest", rng, skill * 0.7)
                lessons = version.lessons()
                done = len(lessons) if rng.random() < 0.45 else rng.randint(0, len(lessons) - 1)
                for module, lesson in lessons[:done]:
                    completion.complete_lesson(
                        session, enrollment=enrollment, module=module, lesson=lesson
                    )
                if done == len(lessons):
                    for _ in range(version.max_attempts):
                        graded = _quiz(
                            session, enrollment, version, "posttest", rng, 0.55 + skill * 0.45
                        )
                        if graded.passed:
                            _evaluate(session, enrollment, version, rng)  # issues the certificate
                            break
    finally:
        clock.freeze(None)


def _evaluate(
    session: Session, enrollment: Enrollment, version: Outline, rng: random.Random
) -> None:
    from app.evaluations import service as evaluations

    # the trainer form once per trainer of the learner's run
    for state in evaluations.states(session, enrollment=enrollment, version=version):
        form = state.form
        answers = {q["id"]: rng.choice([3, 4, 4, 5, 5]) for q in form["questions"]}
        completion.submit_evaluation(
            session,
            enrollment=enrollment,
            version=version,
            form_id=form["id"],
            answers=answers,
            comment=None,
            trainer_id=state.trainer.id if state.trainer else None,
        )


def _quiz(
    session: Session,
    enrollment: Enrollment,
    version: Outline,
    kind: str,
    rng: random.Random,
    skill: float,
) -> Attempt:
    from app.assessments import grading
    from app.assessments import service as assessments

    quiz = assessments.quiz_of(version, kind=kind)
    attempt = assessments.start_attempt(session, enrollment=enrollment, quiz=quiz)
    for item in assessments.paper(session, attempt=attempt):
        response = grading.sample_response(item.question, correct=rng.random() < skill)
        assessments.save_answer(
            session, attempt=attempt, question_key=item.question.key, response=response
        )
    return completion.submit_attempt(session, attempt_id=attempt.id)
