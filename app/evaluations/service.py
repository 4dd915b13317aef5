"""Course evaluations: evaluasi pengajar and evaluasi penyelenggaraan (Likert 1–5 + comment).

The trainer form (the form `pengajar`, or any form with `about: trainer`) is filled once per
trainer of the learner's run: the trainers named on the run, else the course's trainers. A run
without any trainer has it filled once, about no one in particular (as before runs existed).
The other forms are filled once per enrolment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.core import clock
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import is_ascii_digits
from app.courses.outline import Outline
from app.learning import repository as learning_repository
from app.learning import service as learning
from app.models import (
    CourseRunTrainer,
    CourseTrainer,
    Enrollment,
    EvaluationReceipt,
    EvaluationResponse,
    User,
)

SCALE = {1: "Sangat kurang", 2: "Kurang", 3: "Cukup", 4: "Baik", 5: "Sangat baik"}
MAX_COMMENT = 2000
# Summaries of the responses (withheld below five) are in app/analytics/evaluations.py.

DEFAULT_FORMS: list[dict[str, Any]] = [
    {
        "id": "pengajar",
        "title": "Evaluasi Pengajar",
        "questions": [
            {"id": "penguasaan-materi", "text": "Penguasaan materi oleh widyaiswara penyusun"},
            {"id": "sistematika", "text": "Sistematika penyajian materi"},
            {"id": "bahasa", "text": "Kejelasan bahasa dan contoh yang digunakan"},
            {"id": "relevansi", "text": "Relevansi contoh dengan pekerjaan sehari-hari"},
            {"id": "motivasi", "text": "Kemampuan materi memotivasi Anda untuk menerapkannya"},
        ],
    },
    {
        "id": "penyelenggaraan",
        "title": "Evaluasi Penyelenggaraan",
        "questions": [
            {"id": "akses", "text": "Kemudahan mengakses kursus dari perangkat Anda"},
            {"id": "petunjuk", "text": "Kejelasan petunjuk dan informasi kursus"},
            {"id": "beban", "text": "Kesesuaian beban JP dengan isi materi"},
            {"id": "soal", "text": "Kualitas soal pre-test dan post-test"},
            {"id": "kepuasan", "text": "Kepuasan Anda secara keseluruhan"},
        ],
    },
]


TRAINER_FORM = "pengajar"


@dataclass(frozen=True, slots=True)
class TrainerRef:
    id: int
    name: str


@dataclass
class FormState:
    form: Mapping[str, Any]
    submitted: bool
    trainer: TrainerRef | None = None  # the trainer form: which trainer this one is about

    @property
    def url_query(self) -> str:
        return f"?trainer={self.trainer.id}" if self.trainer else ""


def forms_of(version: Outline) -> Sequence[Mapping[str, Any]]:
    return (version.evaluation or {}).get("forms") or DEFAULT_FORMS


def is_trainer_form(form: Mapping[str, Any]) -> bool:
    return form.get("about") == "trainer" or form["id"] == TRAINER_FORM


def trainers_of_run(session: Session, *, enrollment: Enrollment) -> list[TrainerRef]:
    """Whom the learner evaluates with the trainer form: the trainers named on her run, else
    the course's trainers (by name)."""
    named = (
        select(User.id, User.name)
        .join(CourseRunTrainer, CourseRunTrainer.user_id == User.id)
        .where(CourseRunTrainer.run_id == enrollment.run_id)
        .order_by(User.name, User.id)
    )
    rows = session.execute(named).all()
    if not rows:
        course = (
            select(User.id, User.name)
            .join(CourseTrainer, CourseTrainer.user_id == User.id)
            .where(CourseTrainer.course_id == enrollment.course_id)
            .order_by(User.name, User.id)
        )
        rows = session.execute(course).all()
    return [TrainerRef(r.id, r.name) for r in rows]


def form_of(version: Outline, form_id: str) -> Mapping[str, Any]:
    for form in forms_of(version):
        if form["id"] == form_id:
            return form
    raise NotFound("Formulir evaluasi tidak ditemukan.")


def _receipts(session: Session, enrollment_id: int) -> set[tuple[str, int | None]]:
    stmt = select(EvaluationReceipt.form_id, EvaluationReceipt.trainer_id).where(
        EvaluationReceipt.enrollment_id == enrollment_id
    )
    return {(r.form_id, r.trainer_id) for r in session.execute(stmt)}


def states(session: Session, *, enrollment: Enrollment, version: Outline) -> list[FormState]:
    """Each form to fill, the trainer form once per trainer of the learner's run."""
    done = _receipts(session, enrollment.id)
    forms = forms_of(version)
    trainers = (
        trainers_of_run(session, enrollment=enrollment)
        if any(is_trainer_form(f) for f in forms)
        else []
    )
    out: list[FormState] = []
    for f in forms:
        if is_trainer_form(f) and trainers:
            out.extend(FormState(f, (f["id"], t.id) in done, t) for t in trainers)
        else:
            out.append(FormState(f, (f["id"], None) in done))
    return out


def state_of(
    session: Session,
    *,
    enrollment: Enrollment,
    version: Outline,
    form_id: str,
    trainer_id: int | None,
) -> FormState:
    """The one form (about one trainer, for the trainer form) the learner opens or submits;
    NotFound when the form, or that trainer in her run, does not exist. The trainer form of a
    run with trainers needs one of them; a bare link opens the first not yet filled."""
    form_of(version, form_id)
    every = states(session, enrollment=enrollment, version=version)
    mine = [s for s in every if s.form["id"] == form_id]
    if trainer_id is None:
        if len(mine) == 1 or not mine[0].trainer:
            return mine[0]
        return next((s for s in mine if not s.submitted), mine[0])
    found = next((s for s in mine if s.trainer and s.trainer.id == trainer_id), None)
    if found is None:
        raise NotFound("Pengajar ini tidak mengajar angkatan Anda.")
    return found


def all_done(session: Session, *, enrollment: Enrollment, version: Outline) -> bool:
    return all(s.submitted for s in states(session, enrollment=enrollment, version=version))


def is_open(session: Session, *, enrollment: Enrollment, version: Outline) -> bool:
    """Evaluations are asked at the end: once every lesson is done or the course is complete."""
    if enrollment.status == "completed":
        return True
    done = learning_repository.completed_keys(session, enrollment.id)
    return learning.progress(version, enrollment, done).next_lesson is None


def submit(
    session: Session,
    *,
    enrollment: Enrollment,
    version: Outline,
    form_id: str,
    answers: dict[str, Any],
    comment: str | None,
    trainer_id: int | None = None,
) -> None:
    form = form_of(version, form_id)
    state = state_of(
        session, enrollment=enrollment, version=version, form_id=form_id, trainer_id=trainer_id
    )
    if state.trainer is not None and trainer_id is None:
        raise Invalid("Pilih pengajar yang Anda nilai.")
    about = state.trainer.id if state.trainer else None
    if not is_open(session, enrollment=enrollment, version=version):
        raise Forbidden("Evaluasi dibuka setelah semua pelajaran selesai.")
    expected = [q["id"] for q in form["questions"]]
    missing = [q for q in expected if q not in answers]
    if missing:
        raise Invalid(f"Beri nilai untuk semua pernyataan ({len(missing)} belum diisi).")
    unknown = set(answers) - set(expected)
    if unknown:
        raise Invalid("Pernyataan tidak dikenal: " + ", ".join(sorted(unknown)))
    clean: dict[str, int] = {}
    for key in expected:
        value = answers[key]
        if isinstance(value, str) and is_ascii_digits(value) and len(value) < 3:
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCALE:
            raise Invalid("Nilai harus 1 sampai 5.")
        clean[key] = value
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise Invalid(f"Komentar maksimal {MAX_COMMENT} karakter.")
    try:
        with session.begin_nested():
            session.add(
                EvaluationReceipt(enrollment_id=enrollment.id, form_id=form_id, trainer_id=about)
            )
    except IntegrityError:
        raise Conflict("Anda sudah mengisi evaluasi ini.") from None
    session.add(
        EvaluationResponse(
            course_id=version.course_id,
            version_id=version.id,
            form_id=form_id,
            answers=clean,
            comment=comment or None,
            year=clock.local_today().year,
            # coarse enough not to single her out (app/analytics/evaluations.py)
            instansi_id=enrollment.user.instansi_id,
            run_id=enrollment.run_id,
            trainer_id=about,
        )
    )
    session.flush()
